"""The Discord adapter: discord.py's sharded client wired to the core."""
