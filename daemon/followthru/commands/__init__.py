"""The implementations of the command-line commands, one module per group; cli.py dispatches."""
