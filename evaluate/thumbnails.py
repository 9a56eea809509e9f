"""Small JPEG thumbnails per sample id, for the HTML report's gallery."""

from __future__ import annotations

import io
from collections.abc import Iterable

from PIL import Image

THUMBNAIL_SIZE = 160
JPEG_QUALITY = 70


def thumbnail_jpeg(
    image: Image.Image | bytes, size: int = THUMBNAIL_SIZE, quality: int = JPEG_QUALITY
) -> bytes:
    """The image shrunk to fit size x size (aspect kept), as JPEG bytes."""
    if isinstance(image, bytes | bytearray):
        image = Image.open(io.BytesIO(image))
    image = image.convert("RGB")
    image.thumbnail((size, size))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def thumbnails_for_split(
    split, ids: Iterable[str] | None = None, size: int = THUMBNAIL_SIZE
) -> dict[str, bytes]:
    """id -> JPEG bytes for the rows of a `datasets.Dataset` split (all rows, or only `ids`)."""
    wanted = None if ids is None else set(ids)
    raw = split.cast_column("image", _undecoded_image())
    thumbnails = {}
    for row in raw.select_columns(["product_code", "image"]):
        if wanted is not None and row["product_code"] not in wanted:
            continue
        if row["image"] and row["image"].get("bytes"):
            thumbnails[row["product_code"]] = thumbnail_jpeg(row["image"]["bytes"], size)
    return thumbnails


def _undecoded_image():
    import datasets

    return datasets.Image(decode=False)
