"""Pictures through Pillow: format, size, orientation, a perceptual hash, and the seal's red map."""
from __future__ import annotations

import io
import math
import struct
import warnings
from dataclasses import dataclass
from functools import reduce
from typing import Callable, Iterator, TypeVar

from PIL import Image, ImageChops, UnidentifiedImageError

from parsers import seal
from parsers.errors import UnreadableDocument

T = TypeVar("T")

# 8 000 × 8 000 covers any camera; past that a header is lying or the file is a bomb.
MAX_PIXELS = 64_000_000
# EXIF tag 274: how the camera held the picture. 5–8 store it turned a quarter, so the
# picture as shown is `height` wide; 1 is also what a picture without the tag means.
ORIENTATION_TAG = 274
_QUARTER_TURNS = frozenset({5, 6, 7, 8})
# How each orientation is undone, as ImageOps.exif_transpose does (applied to the hash's
# thumbnail only, so that a photo rotated by EXIF and one rotated in pixels hash alike).
_UPRIGHT = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
            4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
            6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
            8: Image.Transpose.ROTATE_90}
# pHash: a 32×32 grey thumbnail whose 8×8 lowest DCT frequencies give 64 bits. Re-encoding
# and resizing change the high frequencies that are dropped, not the picture's layout.
HASH_SIDE = 32
HASH_FREQUENCIES = 8
# JPEGs are decoded at 1/2–1/8 scale but no smaller than this: at 32 px the decoder's own
# scaling differs between a photo and its resized copy by up to 6 bits, at 128 by 2.
HASH_DECODE_SIDE = 128
_COSINES = tuple(tuple(math.cos(math.pi * (2 * n + 1) * k / (2 * HASH_SIDE))
                       for n in range(HASH_SIDE)) for k in range(HASH_FREQUENCIES))
# Modes without colour channels: a red seal cannot show, so the seal test answers None.
_GREY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16L", "I;16B", "I;16N", "F"})
_PILLOW_ERRORS = (UnidentifiedImageError, Image.DecompressionBombError,
                  Image.DecompressionBombWarning, OSError, SyntaxError, ValueError)


@dataclass(frozen=True)
class ImageInfo:
    """What a picture is: stored size, how it is shown, and a hash to spot the same photo twice.

    `phash` is 16 hex digits (64 bits); compare two with `hamming`. It is empty for HEIC,
    which Pillow cannot decode without a plugin.
    """

    format: str
    width: int
    height: int
    orientation: int
    upright_width: int
    upright_height: int
    phash: str


def read_image(data: bytes) -> ImageInfo:
    """Read and verify a picture; raise UnreadableDocument for bombs and corrupt files."""
    if _is_heif(data):
        return _read_heif(data)
    _open(data, lambda image: image.verify())  # checksums (PNG), structure
    return _open(data, _describe)  # a full decode: a truncated JPEG fails here


def hamming(a: str, b: str) -> int:
    """How many of the 64 bits differ between two `phash` values (≤ 6: the same photo).

    Both must be real hashes: an empty one (HEIC) raises ValueError.
    """
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def seal_on_image(data: bytes) -> bool | None:
    """Suggest whether a red ring seal is on a scanned page or photo; None for grey-scale."""
    red = _open(data, _red_map)
    return None if red is None else seal.judge(red)


# ---- opening ------------------------------------------------------------------------------

def _open(data: bytes, look: Callable[[Image.Image], T]) -> T:
    """Open the picture and let `look` read it; every way Pillow fails is UnreadableDocument."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that: make it an error.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise UnreadableDocument(f"图片像素过大（{width}×{height}）")
                return look(image)
    except _PILLOW_ERRORS as error:
        raise UnreadableDocument(_reason(error)) from None


def _reason(error: Exception) -> str:
    """A short reason an applicant can act on."""
    if isinstance(error, (Image.DecompressionBombError, Image.DecompressionBombWarning)):
        return "图片像素过大，疑似异常文件"
    if isinstance(error, UnidentifiedImageError):
        return "无法识别的图片格式"
    if "truncated" in str(error):
        return "图片文件不完整（可能未传完），请重新发送"
    return f"图片已损坏，无法打开（{type(error).__name__}）"


def _describe(image: Image.Image) -> ImageInfo:
    width, height = image.size
    fmt = (image.format or "").lower()
    orientation = _orientation(image)
    turned = orientation in _QUARTER_TURNS
    return ImageInfo(format=fmt, width=width, height=height, orientation=orientation,
                     upright_width=height if turned else width,
                     upright_height=width if turned else height,
                     phash=_phash(image, orientation))


def _orientation(image: Image.Image) -> int:
    """EXIF orientation 1–8; 1 when absent or nonsense."""
    value = image.getexif().get(ORIENTATION_TAG, 1)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


# ---- perceptual hash ------------------------------------------------------------------------

def _phash(image: Image.Image, orientation: int) -> str:
    """DCT pHash of the upright picture: bit set where a low frequency is above their median."""
    image.draft("L", (HASH_DECODE_SIDE, HASH_DECODE_SIDE))  # JPEG: decode small, in grey
    thumb = image.convert("L").resize((HASH_SIDE, HASH_SIDE), Image.Resampling.BOX)
    if orientation in _UPRIGHT:
        thumb = thumb.transpose(_UPRIGHT[orientation])
    pixels = thumb.tobytes()
    rows = [pixels[y * HASH_SIDE:(y + 1) * HASH_SIDE] for y in range(HASH_SIDE)]
    frequencies = _dct_low(rows)
    median = sorted(frequencies)[len(frequencies) // 2]
    bits = "".join("1" if f > median else "0" for f in frequencies)
    return f"{int(bits, 2):016x}"


def _dct_low(rows: list[bytes]) -> list[float]:
    """The 8×8 lowest-frequency coefficients of a 32×32 DCT-II (separable, unnormalised)."""
    by_row = [[sum(c * p for c, p in zip(cos, row)) for cos in _COSINES] for row in rows]
    return [sum(c * by_row[n][u] for n, c in enumerate(cos))
            for cos in _COSINES for u in range(HASH_FREQUENCIES)]


# ---- the seal's red map ---------------------------------------------------------------------

def _lut(keep: Callable[[int], bool]) -> list[int]:
    return [255 if keep(v) else 0 for v in range(256)]


# Per-channel tables for Image.point: 255 where the channel passes the seal module's bounds.
_RED_HUE = _lut(lambda v: v <= seal.RED_HUE_SPAN or v >= 256 - seal.RED_HUE_SPAN)
_RED_SATURATION = _lut(lambda v: v >= seal.RED_MIN_SATURATION)
_RED_VALUE = _lut(lambda v: v >= seal.RED_MIN_VALUE)
_COLOUR_SATURATION = _lut(lambda v: v >= seal.COLOUR_MIN_SATURATION)
_COLOUR_VALUE = _lut(lambda v: v >= seal.COLOUR_MIN_VALUE)


def _red_map(image: Image.Image) -> seal.RedMap | None:
    """The picture measured for seal.judge: red coverage per grid cell; None when grey-scale."""
    if image.mode in _GREY_MODES:
        return None
    if image.mode in ("P", "PA"):
        image = image.convert("RGBA")  # resizing a palette picture would pick, not average
    image.thumbnail((seal.MEASURE_SIDE, seal.MEASURE_SIDE), Image.Resampling.BOX)
    hue, saturation, value = _on_white(image).convert("HSV").split()
    red = _both(hue.point(_RED_HUE), saturation.point(_RED_SATURATION), value.point(_RED_VALUE))
    colour = _both(saturation.point(_COLOUR_SATURATION), value.point(_COLOUR_VALUE))
    coloured = colour.histogram()[255] / (colour.width * colour.height)
    grid = red.reduce(max(1, round(max(red.size) / seal.GRID_SIDE)))  # box mean: coverage
    return seal.RedMap(grid.width, grid.height, grid.tobytes(), coloured)


def _on_white(image: Image.Image) -> Image.Image:
    """RGB, transparent parts on white paper (a pasted e-seal PNG is red on transparent)."""
    if "A" not in image.getbands() and "transparency" not in image.info:
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    return Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")


def _both(*masks: Image.Image) -> Image.Image:
    """255 where every mask is 255."""
    return reduce(ImageChops.darker, masks)


# ---- HEIC: Pillow cannot decode HEVC without a plugin; the size is read from the box tree ----

_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})
# irot turns the picture anticlockwise by quarters; as EXIF orientations: 90° → 8, 270° → 6.
_IROT_AS_EXIF = {0: 1, 1: 8, 2: 3, 3: 6}
_IsoBox = tuple[bytes, memoryview]  # a box's four-letter type and its body


def _is_heif(data: bytes) -> bool:
    """An HEVC-coded HEIF; AVIF shares the container (and brand mif1) but Pillow reads it."""
    if data[4:8] != b"ftyp" or data[8:12] not in _HEIF_BRANDS:
        return False
    ftyp_size = int.from_bytes(data[:4], "big")
    return b"avif" not in data[16:ftyp_size]


def _read_heif(data: bytes) -> ImageInfo:
    """Width and height from the primary item's 'ispe' (meta/iprp/ipco), turned by its 'irot'."""
    try:
        width, height, turns = _heif_geometry(memoryview(data))
    except (struct.error, ValueError, IndexError):
        raise UnreadableDocument("HEIC文件结构损坏") from None
    orientation = _IROT_AS_EXIF[turns]
    turned = orientation in _QUARTER_TURNS
    return ImageInfo(format="heic", width=width, height=height, orientation=orientation,
                     upright_width=height if turned else width,
                     upright_height=width if turned else height, phash="")


def _heif_geometry(data: memoryview) -> tuple[int, int, int]:
    """Stored width, height and anticlockwise quarter turns of the primary picture."""
    properties = _primary_properties(data)
    sizes = [_ispe(body) for kind, body in properties if kind == b"ispe"]
    if not sizes:
        raise ValueError("no ispe property")
    turns = next((body[0] & 3 for kind, body in properties if kind == b"irot"), 0)
    return sizes[0][0], sizes[0][1], turns


def _primary_properties(data: memoryview) -> list[_IsoBox]:
    """The primary item's properties (by 'pitm' and 'ipma'); failing those, every property,
    the largest 'ispe' first."""
    meta = _child(_boxes(data), b"meta")[4:]  # a FullBox: version and flags first
    iprp = list(_boxes(_child(_boxes(meta), b"iprp")))
    ipco = list(_boxes(_child(iter(iprp), b"ipco")))
    pitm = next((body for kind, body in _boxes(meta) if kind == b"pitm"), None)
    ipma = next((body for kind, body in iprp if kind == b"ipma"), None)
    if pitm is not None and ipma is not None:
        wanted = _associations(ipma).get(_item_id(pitm), [])
        chosen = [ipco[i - 1] for i in wanted if 0 < i <= len(ipco)]
        if any(kind == b"ispe" for kind, _ in chosen):
            return chosen
    return sorted(ipco, key=lambda box: -math.prod(_ispe(box[1])) if box[0] == b"ispe" else 0)


def _boxes(data: memoryview) -> Iterator[_IsoBox]:
    """The ISOBMFF boxes laid end to end in `data`; ValueError when one overruns it."""
    at = 0
    while at + 8 <= len(data):
        size, kind = struct.unpack_from(">I4s", data, at)
        header = 8
        if size == 1:  # a 64-bit size follows the type
            (size,), header = struct.unpack_from(">Q", data, at + 8), 16
        elif size == 0:  # the box runs to the end of its parent
            size = len(data) - at
        if size < header or at + size > len(data):
            raise ValueError(f"box {kind!r} overruns its parent")
        yield kind, data[at + header:at + size]
        at += size


def _child(boxes: Iterator[_IsoBox], kind: bytes) -> memoryview:
    body = next((body for found, body in boxes if found == kind), None)
    if body is None:
        raise ValueError(f"no {kind!r} box")
    return body


def _item_id(pitm: memoryview) -> int:
    return struct.unpack_from(">H" if pitm[0] == 0 else ">I", pitm, 4)[0]


def _ispe(body: memoryview) -> tuple[int, int]:
    return struct.unpack_from(">II", body, 4)


def _associations(ipma: memoryview) -> dict[int, list[int]]:
    """Item id → 1-based indices into ipco (the 'essential' bit dropped)."""
    read = _Reader(ipma)
    version, wide = read.uint(1), read.uint(3) & 1
    index_size, index_mask = (2, 0x7FFF) if wide else (1, 0x7F)
    items: dict[int, list[int]] = {}
    for _ in range(read.uint(4)):
        item = read.uint(2 if version == 0 else 4)
        items[item] = [read.uint(index_size) & index_mask for _ in range(read.uint(1))]
    return items


class _Reader:
    """Big-endian unsigned integers read one after another from a box body."""

    def __init__(self, body: memoryview):
        self.body, self.at = body, 0

    def uint(self, size: int) -> int:
        chunk = self.body[self.at:self.at + size]
        if len(chunk) < size:
            raise ValueError("box body too short")
        self.at += size
        return int.from_bytes(chunk, "big")
