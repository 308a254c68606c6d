"""Adapters: each plugs the core into one platform (console, Discord, Slack)."""
