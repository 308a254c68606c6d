"""Files sent to the loopback Discord as Discord takes them: a multipart form.

A message with files comes as `multipart/form-data`: the JSON body in the
`payload_json` part (an interaction callback's under its `data`), each file
in a part named `files[n]`, and an entry `{"id": n, "filename", "description"}`
in the body's `attachments` for each. Discord refuses a file without its
entry or an entry without its file (50035) and a file over 10 MiB (40005,
the limit of a server without boosts). A message keeps its attachments as
Discord shows them (id, filename, size, content type, URLs, description, an
image's width and height); the bytes are kept by attachment id for tests to read.
"""

from __future__ import annotations

import json
import mimetypes
import re
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from aiohttp import web

from loopback.discord.responses import Json, error

__all__ = ["UPLOADS", "UPLOAD_LIMIT", "Upload", "attach", "multipart_body"]

UPLOAD_LIMIT = 10 * 1024 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
UPLOADS = "_uploads"  # the key of a parsed body's files (no Discord field has it)
_FILE_PART = re.compile(r"files\[(\d+)\]")


@dataclass(frozen=True, slots=True)
class Upload:
    """One file of a multipart request: its index `n` (`files[n]`), name and bytes."""

    index: int
    filename: str
    data: bytes


async def multipart_body(request: web.Request) -> Json:
    """Return a multipart request's JSON body (`payload_json`), its files under UPLOADS."""
    form = await request.post()
    raw = form.get("payload_json")
    body: Json = json.loads(raw if isinstance(raw, str) else "{}")
    uploads = []
    for name, value in form.items():
        match = _FILE_PART.fullmatch(name)
        if match and isinstance(value, web.FileField):
            uploads.append(Upload(int(match[1]), value.filename, value.file.read()))
    body[UPLOADS] = sorted(uploads, key=lambda u: u.index)
    return body


def _content_type(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def attach(
    body: Json,
    data: Json,
    files: dict[str, bytes],
    new_id: Callable[[], int],
    kept: Sequence[Json] = (),
) -> list[Json] | web.Response:
    """Return the attachments a message gets from a request, or Discord's refusal.

    `body` is the parsed request (with its uploads), `data` the message part of it
    (the body itself, or a callback's `data`); each file's bytes go into `files`
    under the attachment's id, which `new_id()` makes. An edit's entries may name
    attachments the message has (`kept`), which it keeps.
    """
    uploads: list[Upload] = body.get(UPLOADS) or []
    by_index = {u.index: u for u in uploads}
    existing = {str(a["id"]): a for a in kept}
    entries: dict[int, Json] = {}
    attachments = []
    for entry in data.get("attachments") or []:
        if str(entry.get("id")) in existing:
            attachments.append(existing[str(entry["id"])])
        elif str(entry.get("id")).isdigit() and int(entry["id"]) in by_index:
            entries[int(entry["id"])] = entry
        else:
            return error(400, 50035, "Invalid Form Body: attachments: unknown attachment id")
    if set(entries) != set(by_index):
        return error(400, 50035, "Invalid Form Body: attachments: each file needs its entry")
    for index, upload in sorted(by_index.items()):
        if len(upload.data) > UPLOAD_LIMIT:
            return error(413, 40005, "Request entity too large")
        entry = entries[index]
        attachment_id = str(new_id())
        files[attachment_id] = upload.data
        filename = entry.get("filename") or upload.filename
        attachment: Json = {
            "id": attachment_id,
            "filename": filename,
            "size": len(upload.data),
            "content_type": _content_type(filename),
            "url": f"https://cdn.discordapp.test/attachments/{attachment_id}/{filename}",
            "proxy_url": f"https://media.discordapp.test/attachments/{attachment_id}/{filename}",
        }
        if upload.data[:8] == PNG_SIGNATURE and len(upload.data) >= 24:  # an image's size
            attachment["width"], attachment["height"] = struct.unpack(">II", upload.data[16:24])
        if entry.get("description"):
            attachment["description"] = entry["description"]
        attachments.append(attachment)
    return attachments
