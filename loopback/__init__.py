"""Loopback fakes of the Discord and Slack HTTP and websocket APIs, for tests and benchmarks.

`loopback.discord` and `loopback.slack` each serve a platform's API on
127.0.0.1 the way the platform answers it (its shapes, limits, refusals and
rate limits), record every call and inject failures, so that the real
discord.py and slack-bolt clients run against them. Tests (`tests/`) and
benchmarks (`bench/`) import them; `bot/` and `adapters/` never do, and they
are never shipped: the wheel holds only `bot` and `adapters`
(`[tool.setuptools.packages.find]` in pyproject.toml) and the image only what
`.dockerignore` lets in.
"""
