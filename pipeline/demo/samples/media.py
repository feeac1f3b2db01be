"""Binary attachments made at run time: photos of a chosen size, seals, scans, zips, junk."""
from __future__ import annotations

import io
import math
import random
import zipfile
from datetime import datetime, timezone
from typing import Callable

from PIL import Image, ImageDraw

_RED = (205, 28, 32)
# Word and many Chinese zip tools write this timestamp; it also keeps archives reproducible.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_PDF_TIME = datetime(2024, 1, 8, 9, 0, tzinfo=timezone.utc).utctimetuple()


# ---- photos ------------------------------------------------------------------------------

def _scene(width: int, height: int, seed: int | str) -> Image.Image:
    """A landscape with rows of solar panels, roughened by noise so JPEG cannot shrink it."""
    rng = random.Random(f"photo-{seed}")
    sky, ground = rng.choice([(135, 180, 225), (160, 195, 230)]), (96, 128, 80)
    image = Image.new("RGB", (width, height), sky)
    draw = ImageDraw.Draw(image)
    horizon = int(height * rng.uniform(0.35, 0.5))
    draw.rectangle((0, horizon, width, height), fill=ground)
    for row in range(4):
        top = horizon + 12 + row * (height - horizon) // 5
        for left in range(rng.randint(0, 30), width, 70):
            draw.rectangle((left, top, left + 60, top + 30), fill=(30, 50, 110))
    # Buildings, trees and the sun in different places: each photo is its own picture to a
    # perceptual hash, as real photos are (rows of panels alone hash alike).
    for _ in range(4):
        x, y = rng.uniform(0, 0.9) * width, rng.uniform(0.05, 0.8) * height
        w, h = rng.uniform(0.1, 0.35) * width, rng.uniform(0.15, 0.5) * height
        shade = tuple(rng.randint(20, 250) for _ in range(3))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x, y, x + w, y + h), fill=shade)
    noise = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    return Image.blend(image, noise, 0.22)


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def _fit(target: int, seed: int | str, accept: Callable[[int], bool]) -> bytes:
    """Scale the scene until its JPEG size is accepted (size grows with the pixel count)."""
    width = max(64, int(math.sqrt(target / 0.9 * 4 / 3)))
    for _ in range(12):
        data = _jpeg(_scene(width, width * 3 // 4, seed))
        if accept(len(data)):
            return data
        width = max(16, round(width * math.sqrt(target / len(data))))
    raise RuntimeError(f"could not make a {target}-byte photo")


def photo(n_bytes: int, seed: int | str) -> bytes:
    """A JPEG of `n_bytes` ± 3 %."""
    return _fit(n_bytes, seed, lambda size: abs(size - n_bytes) <= n_bytes * 0.03)


def photo_over(min_bytes: int, seed: int | str) -> bytes:
    """A JPEG strictly larger than `min_bytes`, by at most about 12 %."""
    return _fit(int(min_bytes * 1.06), seed, lambda size: min_bytes < size <= min_bytes * 1.12)


def photo_under(max_bytes: int, seed: int | str) -> bytes:
    """A JPEG strictly smaller than `max_bytes`, by at most about 12 %."""
    return _fit(int(max_bytes * 0.94), seed, lambda size: max_bytes * 0.88 <= size < max_bytes)


# ---- seals and scanned pages ---------------------------------------------------------------

def _star(cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.4
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def _draw_seal(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int,
               colour: tuple[int, ...]) -> None:
    """A round official seal (公章): a thick ring, an inner ring of 'characters', a star."""
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=colour, width=max(3, r // 14))
    for i in range(14):  # the unit's name set round the ring, drawn as small blocks
        angle = math.pi * (0.85 + 1.3 * i / 13)
        x, y = cx + r * 0.72 * math.cos(angle), cy + r * 0.72 * math.sin(angle)
        draw.rectangle((x - r * 0.07, y - r * 0.07, x + r * 0.07, y + r * 0.07), fill=colour)
    draw.polygon(_star(cx, cy, r * 0.3), fill=colour)


def seal_png(size: int = 240) -> bytes:
    """A red seal on a transparent background, as pasted into Word forms."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    _draw_seal(ImageDraw.Draw(image), size // 2, size // 2, size // 2 - 6, _RED + (235,))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _page(seed: str, rows: int) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """An off-white A4 page at 100 dpi with a title and a ruled table of grey 'text' bars."""
    rng = random.Random(seed)
    page = Image.new("RGB", (827, 1169), (246, 245, 240))
    draw = ImageDraw.Draw(page)
    draw.rectangle((250, 90, 577, 118), fill=(60, 60, 60))
    top, bottom = 170, 170 + rows * 60
    draw.rectangle((90, top, 737, bottom), outline=(20, 20, 20), width=2)
    for i in range(1, rows):
        draw.line((90, top + i * 60, 737, top + i * 60), fill=(20, 20, 20), width=2)
    draw.line((250, top, 250, bottom), fill=(20, 20, 20), width=2)
    for i in range(rows):
        y = top + i * 60 + 22
        draw.rectangle((110, y, 110 + rng.randint(60, 120), y + 16), fill=(90, 90, 90))
        draw.rectangle((270, y, 270 + rng.randint(120, 440), y + 16), fill=(70, 70, 90))
    for _ in range(400):  # scanner dust
        x, y = rng.randrange(827), rng.randrange(1169)
        draw.point((x, y), fill=(200, 200, 196))
    return page, draw


def _pdf(page: Image.Image, title: str = "") -> bytes:
    out = io.BytesIO()
    page.save(out, format="PDF", resolution=100.0, title=title,
              creationDate=_PDF_TIME, modDate=_PDF_TIME)
    return out.getvalue()


def scan_pdf(seal: bool = True, seed: int | str = 0) -> bytes:
    """An image-only PDF of a scanned, filled-in form; a red ring seal when `seal`."""
    page, draw = _page(f"scan-{seed}", rows=12)
    draw.rectangle((500, 960, 700, 976), fill=(70, 70, 70))
    if seal:
        _draw_seal(draw, 600, 930, 95, _RED)
    return _pdf(page)


def proof_pdf(title: str, seed: int | str = 0) -> bytes:
    """An image-only PDF standing for a certificate or report; `title` goes into its metadata."""
    page, draw = _page(f"proof-{title}-{seed}", rows=6)
    draw.rectangle((60, 60, 767, 1109), outline=(150, 120, 60), width=8)
    return _pdf(page, title)


# ---- archives and broken files -----------------------------------------------------------

class _LegacyNameInfo(zipfile.ZipInfo):
    """A member whose name bytes are written as given, without the UTF-8 flag (0x800)."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:  # zipfile's own hook, Python 3.8+
        return self.filename.encode("cp437"), self.flag_bits & ~0x800


def _member(name: str, gbk: bool) -> zipfile.ZipInfo:
    if gbk:
        # zipfile reads flag-less names as cp437: so are the GBK bytes carried through it.
        info: zipfile.ZipInfo = _LegacyNameInfo(name.encode("gbk").decode("cp437"), ZIP_TIME)
    else:
        info = zipfile.ZipInfo(name, ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 0  # MS-DOS, as Windows tools write
    info.external_attr = 0x20  # the DOS archive bit
    return info


def zip_bytes(members: dict[str, bytes], gbk_names: bool = True) -> bytes:
    """A zip of `members` (name → bytes); names GBK without the UTF-8 flag, as in China."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(_member(name, gbk_names), data)
    return out.getvalue()


def garbage(n_bytes: int, seed: int | str) -> bytes:
    """Bytes that no format sniffer recognises: a 'file' that cannot be opened."""
    return b"\x00\x13\x37" + random.Random(f"garbage-{seed}").randbytes(n_bytes - 3)
