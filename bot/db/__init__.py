"""Database models, sessions, migrations and repository functions."""
