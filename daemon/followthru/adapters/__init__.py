"""Thin adapters: talk to IMAP, SMTP, SQLite and Jinja2, and translate their errors to errors.py."""
