"""Storage: the Store protocol and its SQL implementation over SQLite (and PostgreSQL)."""
