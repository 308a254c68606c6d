"""Logging set-up: text or JSON lines, the work's ids on each line, and no secrets.

`configure_logging` puts one handler on the root logger. Its filters run on
every record before it is written: `ContextFilter` copies the running work's
group and round ids onto the record (see `bot.telemetry.context`), and
`RedactFilter` replaces secret values (settings whose names end in TOKEN,
SECRET or PASSWORD, and the password of the database URL) at every level, and
a member's answer text at INFO and above, in the message and in tracebacks;
the token of a web archive path (`/archive/<token>/`) is masked as `***`.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TextIO
from urllib.parse import urlsplit

from bot.telemetry.context import current

__all__ = [
    "ContextFilter",
    "JsonFormatter",
    "RedactFilter",
    "TextFormatter",
    "configure_logging",
    "mask_archive_tokens",
    "secret_values",
]

SECRET_SUFFIXES = ("TOKEN", "SECRET", "PASSWORD")
REDACTED = "[redacted]"
WITHHELD = "[answer withheld]"
_MIN_SECRET_CHARS = 4  # an empty or one-letter "secret" would blank out unrelated text
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s%(ids)s"


def secret_values(env: Mapping[str, str]) -> frozenset[str]:
    """Return the values in `env` that must never be logged."""
    found: set[str] = set()
    for name, value in env.items():
        if name.upper().endswith(SECRET_SUFFIXES):
            found.add(value.strip())
        elif name.upper().endswith("DATABASE_URL"):
            try:
                password = urlsplit(value).password
            except ValueError:
                password = None
            if password:
                found.add(password)
    return frozenset(v for v in found if len(v) >= _MIN_SECRET_CHARS)


# A web archive path's token (`/archive/<token>/...`) as a logged URL or message may hold it.
_ARCHIVE_TOKEN = re.compile(r"(/archive/)(?!static/)[A-Za-z0-9_\-]{8,}")


def mask_archive_tokens(text: str) -> str:
    """Return text with the token of every web archive path replaced by `***`."""
    return _ARCHIVE_TOKEN.sub(r"\1***", text)


def _may_hold_token(record: logging.LogRecord) -> bool:
    """Tell whether a record's text may hold a web archive path (and so its token)."""
    return (
        any(
            "/archive/" in (text or "")
            for text in (record.getMessage(), record.exc_text, record.stack_info)
        )
        or record.exc_info is not None
    )


def _replace_all(text: str, values: Iterable[str], mark: str) -> str:
    for value in sorted(values, key=len, reverse=True):  # a longer value may contain a shorter
        if value in text:
            text = text.replace(value, mark)
    return text


class ContextFilter(logging.Filter):
    """Copies the running work's ids onto each record (as `record.context`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add the fields; never drops a record."""
        record.context = current().fields()
        return True


class RedactFilter(logging.Filter):
    """Replaces secrets (at every level) and answer text (at INFO and above) in each record."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = frozenset(secrets)
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message, traceback and stack in place; never drops a record."""
        private = current().private if record.levelno >= logging.INFO else frozenset()
        if not self.secrets and not private and not _may_hold_token(record):
            return True

        def clean(text: str) -> str:
            text = mask_archive_tokens(text)
            return _replace_all(_replace_all(text, self.secrets, REDACTED), private, WITHHELD)

        record.msg = clean(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = clean(record.exc_text)
        if record.stack_info:
            record.stack_info = clean(record.stack_info)
        return True


class TextFormatter(logging.Formatter):
    """`time LEVEL logger: message [group_id=.. round_id=..]`."""

    def __init__(self) -> None:
        super().__init__(_TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        """Return the line of a record, with its ids at the end."""
        fields: dict[str, int] = getattr(record, "context", {})
        record.ids = " [" + " ".join(f"{k}={v}" for k, v in fields.items()) + "]" if fields else ""
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, ids, and any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the JSON line of a record."""
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, "context", {}))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False, default=str)


class _StudybotHandler(logging.StreamHandler[TextIO]):
    """The handler `configure_logging` installs (found again by its class to be replaced)."""


def configure_logging(
    level: str, log_format: str, env: Mapping[str, str], stream: TextIO | None = None
) -> logging.Handler:
    """Send the root logger's records at `level` to `stream` (stderr) as text or JSON lines.

    Secret values are taken from `env` (the environment and `.env`). Calling it again
    replaces the handler it installed before. Returns the handler.
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _StudybotHandler)]:
        root.removeHandler(old)
        old.close()
    handler = _StudybotHandler(stream if stream is not None else sys.stderr)
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactFilter(secret_values(env)))
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    return handler
