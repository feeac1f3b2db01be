"""Pictures: formats, EXIF orientation, perceptual hashes, HEIC sizes, bombs and broken files."""
from __future__ import annotations

import io
import random
import struct
import time
import zlib

import pytest
from PIL import Image, ImageDraw, ImageFilter

from parsers.errors import UnreadableDocument
from parsers.images import hamming, read_image
from parsers.sniff import sniff
from tests.support import hostile


def scene(seed: int, size: tuple[int, int] = (1200, 900)) -> Image.Image:
    """A photo-like picture: a tinted gradient, overlapping shapes, a blur and sensor noise."""
    rng = random.Random(f"scene-{seed}")
    width, height = size
    tint = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    image = Image.blend(Image.linear_gradient("L").resize(size).convert("RGB"), tint, 0.6)
    draw = ImageDraw.Draw(image)
    for _ in range(14):
        x, y = rng.randrange(width), rng.randrange(height)
        rx, ry = rng.randint(width // 12, width // 3), rng.randint(height // 12, height // 3)
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x - rx, y - ry, x + rx, y + ry), fill=tuple(rng.randrange(256) for _ in range(3)))
    noise = Image.effect_noise(size, 40).convert("RGB")
    return Image.blend(image.filter(ImageFilter.GaussianBlur(2)), noise, 0.1)


def encode(image: Image.Image, fmt: str = "JPEG", **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


# ---- formats and orientation ------------------------------------------------------------

@pytest.mark.parametrize("fmt, name", [
    ("JPEG", "jpeg"), ("PNG", "png"), ("BMP", "bmp"), ("TIFF", "tiff"), ("WEBP", "webp"),
    ("GIF", "gif"),
])
def test_each_format_gives_its_size_and_a_hash(fmt, name):
    info = read_image(encode(scene(1, (640, 480)), fmt))
    assert (info.format, info.width, info.height) == (name, 640, 480)
    assert (info.orientation, info.upright_width, info.upright_height) == (1, 640, 480)
    assert len(info.phash) == 16 and int(info.phash, 16) >= 0


@pytest.mark.parametrize("orientation, upright", [(1, (640, 480)), (3, (640, 480)),
                                                  (6, (480, 640)), (8, (480, 640))])
def test_exif_orientation_turns_the_shown_size(orientation, upright):
    exif = Image.Exif()
    exif[274] = orientation
    info = read_image(encode(scene(2, (640, 480)), exif=exif))
    assert (info.width, info.height) == (640, 480)
    assert info.orientation == orientation
    assert (info.upright_width, info.upright_height) == upright


def test_a_photo_turned_by_exif_hashes_like_one_turned_in_pixels():
    """GIVEN the same shot, once stored sideways with orientation 6 and once rotated in pixels
    THEN both hash as the same picture."""
    exif = Image.Exif()
    exif[274] = 6
    sideways = read_image(encode(scene(3), exif=exif))
    turned = read_image(encode(scene(3).transpose(Image.Transpose.ROTATE_270)))
    assert hamming(sideways.phash, turned.phash) <= 6


# ---- perceptual hash --------------------------------------------------------------------

def _quality_40(image: Image.Image) -> bytes:
    return encode(image, quality=40)


def _half_size(image: Image.Image) -> bytes:
    return encode(image.resize((image.width // 2, image.height // 2)), quality=85)


def _smaller_and_worse(image: Image.Image) -> bytes:
    return encode(image.resize((image.width * 3 // 5, image.height * 3 // 5)), quality=60)


def _png_thumbnail(image: Image.Image) -> bytes:
    return encode(image.resize((500, 375)), "PNG")


@pytest.mark.parametrize("copy", [_quality_40, _half_size, _smaller_and_worse, _png_thumbnail])
@pytest.mark.parametrize("seed", range(4))
def test_the_same_photo_reencoded_or_resized_hashes_close(copy, seed):
    original = scene(seed)
    first = read_image(encode(original, quality=90)).phash
    assert hamming(first, read_image(copy(original)).phash) <= 6


def test_different_photos_hash_far_apart():
    hashes = [read_image(encode(scene(seed), quality=90)).phash for seed in range(10)]
    distances = [hamming(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1:]]
    assert min(distances) >= 16


def test_hamming_counts_differing_bits():
    assert hamming("0000000000000000", "0000000000000000") == 0
    assert hamming("0000000000000000", "ffffffffffffffff") == 64
    assert hamming("8000000000000001", "0000000000000000") == 2


# ---- HEIC: sizes from the box tree --------------------------------------------------------

def box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(body), kind) + body


def full_box(kind: bytes, body: bytes, version: int = 0, flags: int = 0) -> bytes:
    return box(kind, bytes([version]) + flags.to_bytes(3, "big") + body)


def heic(sizes: list[tuple[int, int]], primary: int = 1, irot: int | None = None,
         with_ipma: bool = True) -> bytes:
    """A HEIC skeleton: item n has the n-th 'ispe'; the primary item also gets 'irot'."""
    properties = [full_box(b"ispe", struct.pack(">II", w, h)) for w, h in sizes]
    if irot is not None:
        properties.append(box(b"irot", bytes([irot])))
    entries = b""
    for item in range(1, len(sizes) + 1):
        indices = [item] + ([len(properties)] if irot is not None and item == primary else [])
        entries += struct.pack(">HB", item, len(indices)) + bytes(0x80 | i for i in indices)
    ipma = full_box(b"ipma", struct.pack(">I", len(sizes)) + entries)
    iprp = box(b"iprp", box(b"ipco", b"".join(properties)) + (ipma if with_ipma else b""))
    hdlr = full_box(b"hdlr", b"\0" * 4 + b"pict" + b"\0" * 13)
    meta = full_box(b"meta", hdlr + full_box(b"pitm", struct.pack(">H", primary)) + iprp)
    return box(b"ftyp", b"heic\0\0\0\0mif1heic") + meta + box(b"mdat", b"\0" * 64)


def test_heic_size_comes_from_the_primary_items_ispe():
    data = heic([(512, 512), (4032, 3024), (320, 240)], primary=2)
    assert sniff(data) == "heic"
    info = read_image(data)
    assert (info.format, info.width, info.height, info.orientation) == ("heic", 4032, 3024, 1)
    assert (info.upright_width, info.upright_height, info.phash) == (4032, 3024, "")


@pytest.mark.parametrize("irot, orientation, upright", [(1, 8, (3024, 4032)), (2, 3, (4032, 3024)),
                                                        (3, 6, (3024, 4032))])
def test_heic_rotation_turns_the_shown_size(irot, orientation, upright):
    info = read_image(heic([(4032, 3024), (320, 240)], irot=irot))
    assert (info.width, info.height, info.orientation) == (4032, 3024, orientation)
    assert (info.upright_width, info.upright_height) == upright


def test_heic_without_associations_takes_the_largest_ispe():
    info = read_image(heic([(320, 240), (4032, 3024)], with_ipma=False))
    assert (info.width, info.height) == (4032, 3024)


@pytest.mark.parametrize("data", [
    heic([(4032, 3024)])[:60],  # cut inside the meta box
    box(b"ftyp", b"heic\0\0\0\0mif1heic") + box(b"mdat", b"\0" * 16),  # no meta
    heic([])  # no ispe at all
], ids=["truncated", "no-meta", "no-ispe"])
def test_a_broken_heic_is_unreadable(data):
    with pytest.raises(UnreadableDocument, match="HEIC"):
        read_image(data)


# ---- bombs and broken files ---------------------------------------------------------------

def png_header(width: int, height: int) -> bytes:
    """A PNG that is only a valid IHDR (with its CRC) and IEND: a header claiming a size."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


@pytest.mark.parametrize("width, height", [(100_000, 100_000), (9_000, 9_000)])
def test_a_header_claiming_too_many_pixels_is_refused_at_once(width, height):
    started = time.perf_counter()
    with pytest.raises(UnreadableDocument, match="像素过大"):
        read_image(png_header(width, height))
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize("build", [hostile.png_bomb, hostile.bmp_bomb, hostile.tiff_bomb,
                                   hostile.jpeg_bomb], ids=["png", "bmp", "tiff", "jpeg"])
def test_every_format_refuses_a_lying_header_at_once(build):
    """10^10 pixels claimed (JPEG: its largest, 65 535²) over a few bytes of data."""
    started = time.perf_counter()
    with pytest.raises(UnreadableDocument, match="像素过大"):
        read_image(build())
    assert time.perf_counter() - started < 2


def test_a_truncated_jpeg_is_unreadable():
    data = encode(scene(5), quality=90)
    started = time.perf_counter()
    with pytest.raises(UnreadableDocument, match="不完整"):
        read_image(data[:len(data) // 2])
    assert time.perf_counter() - started < 2


def test_a_png_with_a_bad_checksum_is_unreadable():
    data = bytearray(encode(scene(6, (200, 150)), "PNG"))
    data[40] ^= 0xFF  # inside the first IDAT
    with pytest.raises(UnreadableDocument):
        read_image(bytes(data))


def test_bytes_that_are_no_picture_are_unreadable():
    with pytest.raises(UnreadableDocument, match="无法识别"):
        read_image(b"\x00\x13\x37" + bytes(500))
