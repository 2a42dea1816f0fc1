"""Profile photos: small PNGs drawn with zlib + struct (a diagonal gradient disc with a soft light).

Each user's colours are fixed, so the bytes — and the ETag derived from them — are deterministic.
"""

from __future__ import annotations

import functools
import math
import struct
import zlib

Color = tuple[int, int, int]

SIZE = 120


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _mix(a: Color, b: Color, t: float) -> Color:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


@functools.cache
def render_png(start: Color, end: Color, size: int = SIZE) -> bytes:
    center = (size - 1) / 2
    radius = size / 2
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # filter type "None" for every scanline
        for x in range(size):
            distance = math.hypot(x - center, y - center)
            alpha = max(0.0, min(1.0, radius - distance))  # one pixel of anti-aliasing at the rim
            r, g, b = _mix(start, end, (x + y) / (2 * (size - 1)))
            # A soft highlight towards the upper left gives the disc some depth.
            light = (
                max(0.0, 1 - math.hypot(x - size * 0.32, y - size * 0.28) / (size * 0.55)) * 0.35
            )
            rows += bytes(
                (
                    min(255, round(r + (255 - r) * light)),
                    min(255, round(g + (255 - g) * light)),
                    min(255, round(b + (255 - b) * light)),
                    round(alpha * 255),
                )
            )
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )
