"""Any decoded image to upright RGB: one home for the rules that import and the model's processor share.

- `to_rgb`: every PIL mode to RGB. Transparent pixels become white; 16- and 32-bit greys (PNG, TIFF)
  are scaled to 8 bits by the range their values use, never clipped to white as `convert("RGB")` does.
- `upright`: the EXIF orientation applied to the pixels (a phone photo is stored sideways with a tag
  saying how to turn it); the result carries no orientation, so every later reader sees it upright.

`sample-gen import` applies both once, before an image is stored; the Phi-3-Vision processor
(`finetune/phi3v/image_processing.py`) calls the same `to_rgb` on whatever it is given.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageOps

EXIF_ORIENTATION = 0x0112
_INTEGER_GREYS = ("I;16", "I;16B", "I;16L", "I;16N", "I")


def _full_scale(top_value: float) -> float:
    """The white point of a grey image from its largest value: 8, 16 or 32 bits in use."""
    if top_value <= 255:
        return 255.0
    if top_value <= 65535:
        return 65535.0
    return float(2**31 - 1)  # PIL's "I" is a signed 32-bit integer


def to_rgb(image: Image.Image) -> Image.Image:
    """Any PIL mode to RGB. Transparent pixels become white; 16/32-bit greys are scaled, not clipped.

    The official processor calls `convert("RGB")`, which is the same for opaque 8-bit images; for
    transparent ones it exposes whatever colour sits under alpha 0 (often black), and it clips 16-bit
    greys to white. Product photos with transparent backgrounds are common, so white is used.
    """
    mode = image.mode
    if mode in _INTEGER_GREYS:
        values = np.asarray(image, dtype=np.float64)
        top = 65535.0 if mode != "I" else _full_scale(values.max(initial=0))
        grey = np.clip(values / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return Image.fromarray(grey, "L").convert("RGB")
    if mode == "F":
        values = np.asarray(image, dtype=np.float64)
        peak = values.max(initial=0)
        top = 1.0 if peak <= 1.0 else _full_scale(peak)
        return Image.fromarray(np.clip(values / top * 255.0 + 0.5, 0, 255).astype(np.uint8), "L").convert(
            "RGB"
        )
    if mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        mode = image.mode
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image if mode == "RGB" else image.convert("RGB")


def orientation(image: Image.Image) -> int:
    """The EXIF orientation tag (1 = upright, 2-8 = flipped and/or turned); 1 when absent or unreadable."""
    try:
        value = image.getexif().get(EXIF_ORIENTATION, 1)
    except Exception:  # a corrupt EXIF block: treat as upright rather than lose the photo
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def upright(image: Image.Image) -> Image.Image:
    """The image turned as its EXIF orientation says (the same image when it is already upright)."""
    if orientation(image) == 1:
        return image
    turned = ImageOps.exif_transpose(image)
    return image if turned is None else turned
