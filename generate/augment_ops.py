"""Image augmentations a product photo survives: what the item is, its colour and its price stay readable.

Applied in this order, each with its own probability, all drawn from the `rng` the caller passes
(so one seed gives the same pixels): background change, horizontal flip, rotation, scale, crop,
colour jitter, blur, JPEG re-encoding.

What is left out on purpose: hue shifts (the colour is a title word: "Camel", "Navy"), vertical
flips and large rotations (product shots are upright), crops that could cut the item away, and
flips of items whose text would read mirrored (`flip_allowed`).
"""

from __future__ import annotations

import hashlib
import io
import math
import re
from dataclasses import dataclass, field
from typing import Any

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
    distance = np.zeros(pixels.shape[:2], dtype=np.int16)  # (h, w): the largest channel difference
    for channel in range(3):  # per channel: a reduction over a 3-long last axis is slow in numpy
        gap = np.abs(
            pixels[:, :, channel].astype(np.int16) - row_colour[:, channel : channel + 1].astype(np.int16)
        )
        np.maximum(distance, gap, out=distance)
    near = distance < tolerance
    border = np.concatenate([near[0], near[-1], near[:, 0], near[:, -1]])
    if border.mean() < 0.8:  # a busy or cut-off backdrop: leave it alone
        return None
    # scipy's stub says int | tuple; without `output` it returns (labels, count)
    labels, _count = ndimage.label(near)  # pyright: ignore[reportGeneralTypeIssues]
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
    alpha = Image.fromarray((mask * 255).astype(np.uint8)).filter(ImageFilter.BoxBlur(1))
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
    # Rotation, scale and crop are one affine map (output pixel -> source pixel), resampled once.
    centre = np.array([[1, 0, width / 2], [0, 1, height / 2], [0, 0, 1]])
    uncentre = np.array([[1, 0, -width / 2], [0, 1, -height / 2], [0, 0, 1]])
    warp = np.eye(3)
    if settings.max_rotation_deg > 0 and rng.random() < 0.7:
        angle = math.radians(float(rng.uniform(-settings.max_rotation_deg, settings.max_rotation_deg)))
        turn = np.array(
            [[math.cos(angle), -math.sin(angle), 0], [math.sin(angle), math.cos(angle), 0], [0, 0, 1]]
        )
        warp = warp @ centre @ turn @ uncentre
        steps.append("rotate")
    if rng.random() < 0.6:
        zoom = float(rng.uniform(*settings.scale_range))  # < 1: the item shrinks on a padded backdrop
        warp = warp @ centre @ np.diag([1 / zoom, 1 / zoom, 1]) @ uncentre
        steps.append("scale")
    if settings.max_crop > 0 and rng.random() < 0.5:
        left, top, right, bottom = rng.uniform(0, settings.max_crop, size=4)
        crop = np.array([[1 - left - right, 0, left * width], [0, 1 - top - bottom, top * height], [0, 0, 1]])
        warp = warp @ crop
        steps.append("crop")
    if not np.allclose(warp, np.eye(3)):
        coefficients = tuple(float(v) for v in warp[:2].ravel())
        image = image.transform(
            (width, height), Image.Transform.AFFINE, coefficients, Image.Resampling.BILINEAR, fillcolor=fill
        )
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


def _seed_for(code: str) -> int:
    return int.from_bytes(hashlib.sha256(code.encode("utf-8")).digest()[:8], "big")


def make_children(settings: AugmentSettings, seed: int, job: tuple[dict[str, Any], list[str]]) -> list[bytes]:
    """The augmented photos (JPEG bytes) of one parent row, one per child code."""
    row, codes = job
    if not codes:
        return []
    image = Image.open(io.BytesIO(row["image"]["bytes"])).convert("RGB")
    allow_flip = flip_allowed(row.get("title") or "", row.get("category3_code") or "")
    parent_seed = _seed_for(row["product_code"])
    photos = []
    for index in range(1, len(codes) + 1):
        rng = np.random.default_rng([seed, parent_seed, index])
        photos.append(augment_image(image, rng, settings, allow_flip)[0])
    return photos


def make_children_chunk(
    settings: AugmentSettings, seed: int, jobs: list[tuple[str, dict[str, Any], list[str]]]
) -> list[list[bytes]]:
    """make_children for (split, row, child codes) jobs; kept in this light module for worker processes."""
    return [make_children(settings, seed, (row, codes)) for _split, row, codes in jobs]
