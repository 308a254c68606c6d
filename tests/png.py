"""What tests check of a chart: a PNG of the expected size with something drawn on it."""

from __future__ import annotations

import io
import struct

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MIN_COLOURS = 8  # a drawn chart has bars, text and a background, anti-aliased
MIN_VARIANCE = 100.0  # of the grey levels: a blank or one-colour image has about 0


def png_size(data: bytes) -> tuple[int, int]:
    """Return (width, height) from a PNG's header; fail if the bytes are no PNG."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def assert_drawn(data: bytes) -> None:
    """Check that a PNG is not blank: many colours, and grey levels that vary."""
    from PIL import Image, ImageStat  # matplotlib's dependency

    image = Image.open(io.BytesIO(data)).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20) or []
    assert len(colours) >= MIN_COLOURS, f"only {len(colours)} colours"
    variance = ImageStat.Stat(image.convert("L")).var[0]
    assert variance > MIN_VARIANCE, f"grey levels vary by {variance:.1f} only"
