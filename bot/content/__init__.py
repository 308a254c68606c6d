"""The question bank: its schema, loading, linting and question choice."""
