"""Validation: a SQL script judged against a snapshot (lex, parse, resolve, schema changes, rules)."""
