"""Image augmentations a product photo survives: what the item is, its colour and its price stay readable.

Applied in this order, each with its own probability, all drawn from the `rng` the caller passes
(so one seed gives the same pixels): background change, horizontal flip, rotation, scale, crop,
colour jitter, blur, JPEG re-encoding.

What is left out on purpose: hue shifts (the colour is a title word: "Camel", "Navy"), vertical
flips and large rotations (product shots are upright), crops that could cut the item away, and
flips of items whose text would read mirrored (`flip_allowed`).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter
from scipy import ndimage

# Light studio backgrounds a product may be shot on.
BACKGROUNDS: tuple[tuple[int, int, int], ...] = (
    (250, 250, 248),
    (240, 236, 228),
    (226, 230, 236),
    (236, 226, 222),
    (222, 232, 222),
    (210, 208, 204),
    (244, 238, 214),
)
_NO_FLIP = re.compile(r"\b(LOGO|MONOGRAM|PRINT|PRINTED|GRAPHIC|SLOGAN|LETTER\w*|TEXT|INITIALS?|SIGNATURE)\b")


@dataclass(frozen=True)
class AugmentSettings:
    """How strong each augmentation is; the defaults keep a 336 px product shot readable."""

    background_rate: float = field(default=0.5, metadata={"help": "share with a new plain background"})
    flip_rate: float = field(default=0.5, metadata={"help": "share flipped left-right (where allowed)"})
    max_rotation_deg: float = field(default=8.0, metadata={"help": "rotation up to +- this many degrees"})
    scale_range: tuple[float, float] = field(
        default=(0.85, 1.1), metadata={"help": "zoom out (< 1, padded) or in (> 1)"}
    )
    max_crop: float = field(default=0.08, metadata={"help": "largest share cut from one side"})
    jitter: float = field(default=0.12, metadata={"help": "brightness / contrast / saturation +- this"})
    blur_rate: float = field(default=0.3, metadata={"help": "share blurred a little"})
    max_blur_radius: float = field(default=1.2, metadata={"help": "largest Gaussian blur radius (px)"})
    jpeg_quality: tuple[int, int] = field(default=(55, 95), metadata={"help": "JPEG quality range"})

    def __post_init__(self) -> None:
        low, high = self.scale_range
        if not 0.5 <= low <= high <= 1.5:
            raise ValueError(f"scale range must lie within 0.5-1.5 (low <= high), got {low}-{high}")
        if not 0 <= self.max_crop < 0.3:
            raise ValueError(f"max crop must be between 0 and 0.3, got {self.max_crop}")
        if not 1 <= self.jpeg_quality[0] <= self.jpeg_quality[1] <= 100:
            raise ValueError(f"JPEG quality range must lie within 1-100, got {self.jpeg_quality}")


def flip_allowed(title: str, category: str = "") -> bool:
    """False when the item carries text or a logo that a mirror image would show reversed."""
    return not _NO_FLIP.search(f"{title} {category}".upper())


def background_colour(pixels: np.ndarray) -> tuple[int, int, int]:
    """The median colour of the image's outer frame (2 px), taken as the backdrop."""
    frame = np.concatenate(
        [
            pixels[:2].reshape(-1, 3),
            pixels[-2:].reshape(-1, 3),
            pixels[:, :2].reshape(-1, 3),
            pixels[:, -2:].reshape(-1, 3),
        ]
    )
    return tuple(int(v) for v in np.median(frame, axis=0))  # type: ignore[return-value]


def background_mask(pixels: np.ndarray, tolerance: int = 30) -> np.ndarray | None:
    """Backdrop pixels (bool, H x W) connected to the border, or None when the backdrop is not plain.

    The backdrop is modelled row by row from the left and right edges, so a paper sweep that darkens
    towards the bottom still counts as one plain backdrop.
    """
    edges = np.concatenate([pixels[:, :3], pixels[:, -3:]], axis=1).astype(np.int16)  # (h, 6, 3)
    row_colour = np.median(edges, axis=1)  # (h, 3)
    distance = np.abs(pixels.astype(np.int16) - row_colour[:, None, :]).max(axis=2)  # (h, w)
    near = distance < tolerance
    border = np.concatenate([near[0], near[-1], near[:, 0], near[:, -1]])
    if border.mean() < 0.8:  # a busy or cut-off backdrop: leave it alone
        return None
    labels, _count = ndimage.label(near)
    edge_labels = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    mask = np.isin(labels, edge_labels[edge_labels > 0])
    if not 0.15 <= mask.mean() <= 0.92:  # the item merged with the backdrop, or there is no backdrop
        return None
    return mask


def change_background(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """The item on another light backdrop (with a slight top-to-bottom sweep); unchanged if not plain."""
    pixels = np.asarray(image)
    mask = background_mask(pixels)
    if mask is None:
        return image
    colour = np.array(BACKGROUNDS[int(rng.integers(len(BACKGROUNDS)))], dtype=np.float32)
    sweep = np.linspace(1.0, rng.uniform(0.86, 0.97), image.height, dtype=np.float32)[:, None, None]
    backdrop = Image.fromarray(
        np.clip(colour[None, None, :] * sweep, 0, 255).astype(np.uint8).repeat(image.width, axis=1)
    )
    alpha = Image.fromarray((mask * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.8))
    return Image.composite(backdrop, image, alpha)


def augment_image(
    image: Image.Image, rng: np.random.Generator, settings: AugmentSettings, allow_flip: bool
) -> tuple[bytes, list[str]]:
    """JPEG bytes of one augmented copy of an RGB `image`, and the names of the steps applied."""
    width, height = image.size
    steps: list[str] = []
    if rng.random() < settings.background_rate:
        changed = change_background(image, rng)
        if changed is not image:
            image = changed
            steps.append("background")
    fill = background_colour(np.asarray(image))
    if allow_flip and rng.random() < settings.flip_rate:
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        steps.append("flip")
    if settings.max_rotation_deg > 0 and rng.random() < 0.7:
        angle = float(rng.uniform(-settings.max_rotation_deg, settings.max_rotation_deg))
        image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=fill)
        steps.append("rotate")
    if rng.random() < 0.6:
        image = _scale(image, float(rng.uniform(*settings.scale_range)), fill)
        steps.append("scale")
    if settings.max_crop > 0 and rng.random() < 0.5:
        cut = rng.uniform(0, settings.max_crop, size=4) * np.array([width, height, width, height])
        box = (cut[0], cut[1], width - cut[2], height - cut[3])
        image = image.resize((width, height), Image.Resampling.BICUBIC, box=box)
        steps.append("crop")
    if settings.jitter > 0 and rng.random() < 0.8:
        low, high = 1 - settings.jitter, 1 + settings.jitter
        image = ImageEnhance.Brightness(image).enhance(float(rng.uniform(low, high)))
        image = ImageEnhance.Contrast(image).enhance(float(rng.uniform(low, high)))
        image = ImageEnhance.Color(image).enhance(float(rng.uniform(low, high)))
        steps.append("jitter")
    if rng.random() < settings.blur_rate:
        image = image.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.3, settings.max_blur_radius))))
        steps.append("blur")
    quality = int(rng.integers(settings.jpeg_quality[0], settings.jpeg_quality[1] + 1))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    steps.append(f"jpeg{quality}")
    return buffer.getvalue(), steps


def _scale(image: Image.Image, factor: float, fill: tuple[int, int, int]) -> Image.Image:
    """Zoom about the centre: out (< 1) pads with the backdrop colour, in (> 1) crops the margins."""
    width, height = image.size
    if factor >= 1:
        w, h = width / factor, height / factor
        box = ((width - w) / 2, (height - h) / 2, (width + w) / 2, (height + h) / 2)
        return image.resize((width, height), Image.Resampling.BICUBIC, box=box)
    small = image.resize(
        (max(1, round(width * factor)), max(1, round(height * factor))), Image.Resampling.BICUBIC
    )
    canvas = Image.new("RGB", (width, height), fill)
    canvas.paste(small, ((width - small.width) // 2, (height - small.height) // 2))
    return canvas
