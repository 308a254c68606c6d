"""File uploads on the loopback Slack, in Slack's three steps.

1. `files.getUploadURLExternal` (filename, length, alt_txt) answers a file id
   and an upload URL, here one on this server (`/upload/{file id}`).
2. The app POSTs the bytes to that URL (raw, as slack-sdk sends them, or as a
   form's `file` field); Slack answers `OK - <size>`, and refuses bytes whose
   size is not the length announced, and a second upload to the same URL.
3. `files.completeUploadExternal` (files: `[{"id", "title"}]`, channel_id,
   thread_ts, initial_comment) finishes them: a file whose bytes never came is
   refused (`file_upload_not_complete`, the fake's name for it), as is a
   channel Slack would refuse a post in or a member's id (a file is shared in
   a conversation: a DM's `D…` id, which `conversations.open` gives). With a
   channel the files are shared there in one message (in the thread, with the
   comment as its text); without one they stay private to the app.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from loopback.slack.state import BOT_ID, BOT_USER, Call, SlackState, is_member_id

__all__ = ["UPLOAD", "FileUploads", "UploadedFile"]

UPLOAD = "upload"  # the recorded call of step 2, the bytes' POST to the upload URL


@dataclass
class UploadedFile:
    """A file an app announced, the bytes that came for it, and where it was shared."""

    id: str
    filename: str
    length: int
    alt_txt: str = ""
    data: bytes | None = None
    title: str = ""
    channels: list[str] = field(default_factory=list)

    def shown(self) -> dict[str, Any]:
        """Return the file as a message shows it."""
        mimetype = "image/png" if self.filename.endswith(".png") else "application/octet-stream"
        return {
            "id": self.id,
            "name": self.filename,
            "title": self.title or self.filename,
            "mimetype": mimetype,
            "size": len(self.data or b""),
            "alt_txt": self.alt_txt,
        }


class FileUploads:
    """The files announced, uploaded and shared, by id."""

    def __init__(self, state: SlackState) -> None:
        self.state = state
        self.files: dict[str, UploadedFile] = {}
        self._ids = itertools.count(1)

    def get_upload_url(self, args: dict[str, Any], base_url: str) -> dict[str, Any]:
        """Answer `files.getUploadURLExternal`: a file id and where to upload its bytes."""
        filename = str(args.get("filename") or "")
        length = str(args.get("length") or "")
        if not filename or not length.isdigit() or int(length) < 1:
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._ids):08d}"
        alt = str(args.get("alt_txt") or "")
        self.files[file_id] = UploadedFile(file_id, filename, int(length), alt)
        return {"ok": True, "upload_url": f"{base_url}/upload/{file_id}", "file_id": file_id}

    async def handle_upload(self, request: web.Request) -> web.Response:
        """Take a file's bytes at its upload URL (step 2)."""
        file_id = request.match_info["file_id"]
        file = self.files.get(file_id)
        if file is None or file.data is not None:
            self._record(file_id, 0, "upload_url_not_found")
            return web.Response(status=404, text="upload_url_not_found")
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            part = form.get("file")
            data = part.file.read() if isinstance(part, web.FileField) else b""
        else:
            data = await request.read()
        if len(data) != file.length:
            self._record(file_id, len(data), "size_mismatch")
            return web.Response(status=400, text=f"size {len(data)} is not {file.length}")
        file.data = data
        self._record(file_id, len(data), None)
        return web.Response(text=f"OK - {len(data)}")

    def _record(self, file_id: str, size: int, error: str | None) -> None:
        """Record an upload among the calls, as method `upload`."""
        args = {"file_id": file_id, "size": size}
        self.state.record(Call(UPLOAD, args, None, time.monotonic(), error=error))

    def complete(self, args: dict[str, Any]) -> dict[str, Any]:
        """Answer `files.completeUploadExternal`: finish the files, share them if asked."""
        entries = args.get("files")
        if isinstance(entries, str):
            entries = json.loads(entries)
        if not isinstance(entries, list) or not entries:
            return {"ok": False, "error": "invalid_arguments"}
        done = [self.files.get(str(e.get("id"))) for e in entries]
        if any(f is None for f in done):
            return {"ok": False, "error": "file_not_found"}
        files = [f for f in done if f is not None]
        if any(f.data is None for f in files):
            return {"ok": False, "error": "file_upload_not_complete"}
        channel = str(args.get("channel_id") or "")
        if channel and (refusal := self._refusal(channel)):
            return {"ok": False, "error": refusal}
        for file, entry in zip(files, entries, strict=True):
            file.title = str(entry.get("title") or file.filename)
        if channel:
            self._share(channel, files, args)
        return {"ok": True, "files": [{"id": f.id, "title": f.title} for f in files]}

    def _refusal(self, channel: str) -> str | None:
        if is_member_id(channel):
            return "channel_not_found"  # a conversation's id, not a member's
        return self.state.channel_refusal(channel)

    def _share(self, channel: str, files: list[UploadedFile], args: dict[str, Any]) -> None:
        message: dict[str, Any] = {
            "type": "message",
            "ts": self.state.new_ts(),
            "user": BOT_USER,
            "bot_id": BOT_ID,
            "text": str(args.get("initial_comment") or ""),
            "files": [f.shown() for f in files],
        }
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        self.state.messages[channel].append(message)
        for file in files:
            file.channels.append(channel)
