"""Photo sizes and formats through Pillow, with decompression bombs refused."""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from pipeline.errors import UnreadableDocument

# 8 000 × 8 000 covers any camera; past that a header is lying or the file is a bomb.
MAX_PIXELS = 64_000_000


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int


def read_image(data: bytes) -> ImageInfo:
    """Open the header and verify the file; raise UnreadableDocument for bombs and corrupt files."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that: make it an error.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise UnreadableDocument(f"图片像素过大（{width}×{height}）")
                image.verify()
                return ImageInfo(format=(image.format or "").lower(), width=width, height=height)
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning,
            OSError, SyntaxError, ValueError) as error:
        raise UnreadableDocument(f"图片无法打开：{type(error).__name__}") from None
