"""The pure core: decides what should happen. Stdlib only, no I/O, no clock, no logging.

Time is always a parameter; a test (tests/core/test_purity.py) enforces the imports.
"""
