"""The red-ring seal heuristic: seals it must find, red things it must not take for one."""
from __future__ import annotations

import ast
import io
import math
import random
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFilter

from parsers import seal
from parsers.images import seal_on_image
from pipeline.demo.samples import media

RED = (205, 28, 32)
SEAL_AT = (600, 930)  # where scan_pdf stamps its seal on the 100 dpi page


def encode(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def page() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """The sample generator's scanned form: an off-white A4 page at 100 dpi, ruled, with text."""
    return media._page("seal-test", rows=12)


def sealed_page() -> Image.Image:
    image, draw = page()
    media._draw_seal(draw, *SEAL_AT, 95, RED)
    return image


# ---- seals to find ------------------------------------------------------------------------

def faint_partial_seal() -> Image.Image:
    """A dry stamp pad: pale ink, the ring in four arcs with gaps, the star and text lighter."""
    image, draw = page()
    (cx, cy), r, pale = SEAL_AT, 80, (226, 130, 135)
    for start in range(0, 360, 90):
        draw.arc((cx - r, cy - r, cx + r, cy + r), start + 12, start + 80, fill=pale, width=5)
    for i in range(12):
        angle = math.pi * (0.85 + 1.3 * i / 11)
        x, y = cx + r * 0.72 * math.cos(angle), cy + r * 0.72 * math.sin(angle)
        draw.rectangle((x - 5, y - 5, x + 5, y + 5), fill=pale)
    draw.polygon(media._star(cx, cy, r * 0.28), fill=pale)
    return image


def oval_seal() -> Image.Image:
    """A 45×30 mm company seal (177×118 px at 100 dpi): an oval ring, text, no star."""
    image, draw = page()
    (cx, cy), rx, ry = SEAL_AT, 89, 59
    draw.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), outline=RED, width=4)
    for i in range(12):
        angle = math.pi * (0.9 + 1.2 * i / 11)
        x, y = cx + rx * 0.75 * math.cos(angle), cy + ry * 0.7 * math.sin(angle)
        draw.rectangle((x - 6, y - 6, x + 6, y + 6), fill=RED)
    draw.rectangle((cx - 40, cy + 5, cx + 40, cy + 20), fill=RED)
    return image


def seal_under_black_text() -> Image.Image:
    """Lines of black text printed across the seal hide half of its ring."""
    image, draw = page()
    media._draw_seal(draw, *SEAL_AT, 80, RED)
    for y in range(870, 1000, 22):
        draw.rectangle((480, y, 760, y + 12), fill=(25, 25, 25))
    return image


def phone_photo_of_the_form() -> Image.Image:
    """The sealed form photographed on a wooden desk: turned, smaller, warm light, soft focus."""
    desk = Image.new("RGB", (1600, 1200), (150, 110, 70))
    form = sealed_page().rotate(93, expand=True, fillcolor=(150, 110, 70)).resize((1050, 760))
    desk.paste(form, (270, 220))
    warm = Image.blend(desk, Image.new("RGB", desk.size, (255, 230, 190)), 0.15)
    return warm.filter(ImageFilter.GaussianBlur(1))


def e_seal_on_page() -> Image.Image:
    """The transparent e-seal PNG Word forms carry, pasted onto the page."""
    image, _ = page()
    stamp = Image.open(io.BytesIO(media.seal_png()))
    image.paste(stamp, (480, 810), stamp)
    return image


def small_seal() -> Image.Image:
    """A 30 mm seal, the smallest official size (118 px across at 100 dpi)."""
    image, draw = page()
    media._draw_seal(draw, *SEAL_AT, 59, RED)
    return image


def a4_at_150_dpi_quality_60() -> bytes:
    return encode(sealed_page().resize((1240, 1754), Image.Resampling.LANCZOS), "JPEG", quality=60)


@pytest.mark.parametrize("data", [
    encode(sealed_page()),
    encode(faint_partial_seal()),
    encode(oval_seal()),
    encode(small_seal()),
    encode(seal_under_black_text()),
    a4_at_150_dpi_quality_60(),
    encode(phone_photo_of_the_form(), "JPEG", quality=80),
    encode(e_seal_on_page()),
    media.seal_png(),
], ids=["sample-scan", "faint-partial", "oval", "30mm", "under-text", "jpeg-q60-150dpi", "phone-photo",
        "e-seal", "e-seal-alone"])
def test_a_red_ring_seal_is_found(data):
    assert seal_on_image(data) is True


# ---- red things that are no seal -----------------------------------------------------------

def red_text_and_underline() -> Image.Image:
    image, draw = page()
    for i in range(20):
        draw.rectangle((120 + i * 30, 470, 142 + i * 30, 494), fill=RED)
    draw.line((110, 505, 720, 505), fill=RED, width=4)
    return image


def red_logo_square() -> Image.Image:
    image, draw = page()
    draw.rectangle((90, 40, 190, 140), fill=RED)
    draw.rectangle((120, 70, 160, 110), fill="white")
    return image


def red_heading() -> Image.Image:
    """A 红头 document: a row of large red title characters over a red rule."""
    image, draw = page()
    for i in range(8):
        draw.rectangle((150 + i * 66, 40, 206 + i * 66, 96), fill=(210, 20, 20))
    draw.line((90, 130, 737, 130), fill=(210, 20, 20), width=3)
    return image


def red_table_lines() -> Image.Image:
    """A table ruled in red-brown, as on printed invoices."""
    image, draw = page()
    for x in range(90, 740, 60):
        draw.line((x, 600, x, 1100), fill=(190, 60, 50), width=2)
    for y in range(600, 1110, 40):
        draw.line((90, y, 737, y), fill=(190, 60, 50), width=2)
    return image


def red_disc() -> Image.Image:
    """A filled red circle the size of a seal: round, but no ring."""
    image, draw = page()
    draw.ellipse((505, 835, 695, 1025), fill=RED)
    return image


def blue_ring() -> Image.Image:
    """A ring of the right size in blue ink: a seal is red."""
    image, draw = page()
    draw.ellipse((505, 835, 695, 1025), outline=(30, 60, 170), width=7)
    return image


def outdoor_photo(draw_subject) -> Image.Image:
    """Sky, a road and sensor noise around a subject."""
    image = Image.new("RGB", (1200, 900), (140, 185, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 820, 1200, 900), fill=(90, 90, 90))
    draw_subject(draw)
    noise = Image.frombytes("RGB", image.size, random.Random(7).randbytes(1200 * 900 * 3))
    return Image.blend(image, noise, 0.15)


def red_building(draw: ImageDraw.ImageDraw) -> None:
    draw.polygon([(200, 900), (200, 300), (420, 180), (700, 250), (720, 120), (900, 300),
                  (900, 900)], fill=(180, 40, 35))
    for x in range(240, 880, 60):
        for y in range(330, 860, 80):
            draw.rectangle((x, y, x + 30, y + 45), fill=(200, 210, 220))


def red_flag(draw: ImageDraw.ImageDraw) -> None:
    draw.rectangle((590, 150, 600, 880), fill=(120, 120, 120))
    draw.polygon([(600, 160), (1000, 180), (1020, 440), (600, 420)], fill=(220, 30, 30))
    draw.polygon(media._star(680, 240, 40), fill=(255, 220, 0))
    for x, y in [(750, 190), (780, 230), (780, 280), (750, 320)]:
        draw.polygon(media._star(x, y, 12), fill=(255, 220, 0))


@pytest.mark.parametrize("data", [
    encode(page()[0]),
    encode(red_text_and_underline()),
    encode(red_logo_square()),
    encode(red_heading()),
    encode(red_table_lines()),
    encode(red_disc()),
    encode(blue_ring()),
    encode(outdoor_photo(red_building), "JPEG", quality=85),
    encode(outdoor_photo(red_flag), "JPEG", quality=85),
], ids=["plain-page", "red-text-line", "logo-square", "red-heading", "red-table", "red-disc",
        "blue-ring", "red-building", "red-flag"])
def test_red_that_is_not_a_ring_is_no_seal(data):
    assert seal_on_image(data) is False


# ---- grey-scale pages cannot tell ------------------------------------------------------------

@pytest.mark.parametrize("data", [
    encode(sealed_page().convert("L")),
    encode(sealed_page().convert("1")),
    encode(sealed_page().convert("L").convert("RGB"), "JPEG", quality=70),
], ids=["grey", "black-and-white", "grey-saved-as-colour"])
def test_a_grey_scale_scan_cannot_tell(data):
    """GIVEN a sealed form scanned in grey WHEN looking for the seal THEN the answer is unknown."""
    assert seal_on_image(data) is None


# ---- speed, and the heuristic on its own ------------------------------------------------------

def test_an_a4_page_at_150_dpi_takes_under_100_ms():
    data = a4_at_150_dpi_quality_60()
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        seal_on_image(data)
        timings.append(time.perf_counter() - started)
    assert min(timings) < 0.1


def grid(draw_cell, side: int = 120, coloured: float = 0.05) -> seal.RedMap:
    """A RedMap drawn by a function of the cell's offset from the centre, in cells."""
    cells = bytes(255 if draw_cell(x - side / 2, y - side / 2) else 0
                  for y in range(side) for x in range(side))
    return seal.RedMap(side, side, cells, coloured)


def test_judge_works_on_a_plain_grid():
    ring = grid(lambda dx, dy: 20 <= math.hypot(dx, dy) <= 22)
    disc = grid(lambda dx, dy: math.hypot(dx, dy) <= 22)
    oval = grid(lambda dx, dy: 0.9 <= math.hypot(dx / 30, dy / 20) <= 1.0)
    speck = grid(lambda dx, dy: 20 <= math.hypot(dx, dy) <= 22, coloured=0.0001)
    assert (seal.judge(ring), seal.judge(disc), seal.judge(oval)) == (True, False, True)
    assert seal.judge(speck) is None


def test_the_heuristic_does_not_import_pillow():
    """seal.py is pure: images.py is the one module that turns pixels into a RedMap."""
    modules = set()
    for node in ast.walk(ast.parse(Path(seal.__file__).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module.split(".")[0])
    assert "PIL" not in modules and "math" in modules
