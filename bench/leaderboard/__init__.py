"""The leaderboard benchmark: `.venv/bin/python bench/leaderboard` (see __main__.py)."""
