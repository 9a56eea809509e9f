"""Render a product photo from its visible attributes (PIL + numpy; no randomness of its own).

Everything the photo varies (background, light, shadow, position, scale, rotation, props, crops)
is drawn from the `rng` the caller passes, so one (seed, row index) always gives the same pixels.
What a model must read stays bold at 64 px: the leaf silhouette fills most of the frame, colours
are saturated, patterns are coarse (a few repeats across the item) and materials differ in large
scale looks (gloss band, sheen waves, mottling) rather than in fine texture only.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from productlens.generate.silhouettes import Point, Shape, shape_for
from productlens.generate.taxonomy import COLOUR_BY_NAME, Attributes, item_scale

RGB = tuple[int, int, int]

BACKGROUNDS: tuple[RGB, ...] = (
    (246, 246, 244),
    (238, 232, 222),
    (228, 229, 233),
    (241, 236, 229),
    (224, 228, 222),
    (214, 210, 204),
)
METAL: dict[str, RGB] = {"Gold": (222, 176, 52), "Silver": (206, 208, 216)}
GUNMETAL: RGB = (86, 86, 92)
SOLE: RGB = (246, 244, 238)
LENS: RGB = (28, 30, 38)


@dataclass(frozen=True)
class PhotoSettings:
    """How photos vary; the defaults are those of `sample-gen`."""

    width: int = 336
    height: int = 336
    prop_rate: float = 0.15  # share of photos with a prop (plant, book, cup) beside the item
    crop_rate: float = 0.06  # share of photos where the item runs off an edge


def darker(rgb: RGB, factor: float) -> RGB:
    return (int(rgb[0] * factor), int(rgb[1] * factor), int(rgb[2] * factor))


def lighter(rgb: RGB, amount: float) -> RGB:
    return tuple(int(c + (255 - c) * amount) for c in rgb)  # type: ignore[return-value]


def luminance(rgb: RGB) -> float:
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]


def contrast_colour(rgb: RGB) -> RGB:
    """A same-hue colour that stands out on `rgb` (for stripes, monograms, check lines)."""
    return darker(rgb, 0.45) if luminance(rgb) > 150 else lighter(rgb, 0.65)


@dataclass(frozen=True)
class _Transform:
    """Unit item-box coordinates -> pixels (scale, rotation about the box centre, translation)."""

    cx: float
    cy: float
    box: float
    angle: float  # radians

    def __call__(self, points: list[Point]) -> list[tuple[float, float]]:
        cos, sin = math.cos(self.angle), math.sin(self.angle)
        out = []
        for x, y in points:
            u, v = (x - 0.5) * self.box, (y - 0.5) * self.box
            out.append((self.cx + u * cos - v * sin, self.cy + u * sin + v * cos))
        return out


@dataclass
class _Assets:
    """Per-size arrays shared by every photo in a process: gradients, material shading, gloss band."""

    vertical: Image.Image  # "L" gradient top->bottom
    x_ramp: np.ndarray  # (W,) from -0.5 to 0.5
    shading: dict[str, np.ndarray]  # material -> (H, W) multiplicative shading
    gloss: np.ndarray  # (2H, 2W) diagonal highlight centred at (W, H)


def _smooth_noise(rng: np.random.Generator, height: int, width: int, cell: int) -> np.ndarray:
    small = rng.normal(0.0, 1.0, (max(2, height // cell), max(2, width // cell))).astype(np.float32)
    image = Image.fromarray(small, mode="F").resize((width, height), Image.Resampling.BICUBIC)
    return np.asarray(image, dtype=np.float32)


@lru_cache(maxsize=4)
def _assets(width: int, height: int) -> _Assets:
    rng = np.random.default_rng(20240501)  # fixed: textures are part of the look, not of the sample
    short = min(width, height)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    fine = rng.normal(0.0, 1.0, (height, width)).astype(np.float32)
    shading = {
        "Leather": 1 + 0.03 * fine,
        "Acetate": np.ones((height, width), np.float32),
        "Suede": 1 + 0.11 * _smooth_noise(rng, height, width, max(2, short // 28)),
        "Nylon": 1 + 0.13 * np.sin(2 * np.pi * ys / (short / 7)),
        "Cotton": 1 + 0.04 * fine,
        "Wool": 1 + 0.12 * _smooth_noise(rng, height, width, 3) + 0.05 * fine,
        "Cashmere": 1 + 0.06 * _smooth_noise(rng, height, width, 6),
        "Silk": 1 + 0.22 * np.sin(2 * np.pi * (xs + ys) / (short / 3.2)),
        "Denim": 1
        + 0.09 * np.sin(2 * np.pi * (xs - ys) / 4.0)
        + 0.08 * _smooth_noise(rng, height, width, 10),
        "Canvas": 1 + 0.07 * np.sin(2 * np.pi * xs / 3.0) * np.sin(2 * np.pi * ys / 3.0) + 0.04 * fine,
    }
    gy, gx = np.mgrid[0 : 2 * height, 0 : 2 * width].astype(np.float32)
    distance = ((gx - width) + (gy - height)) / math.sqrt(2) + 0.12 * short  # band above-left of centre
    gloss = np.exp(-((distance / (0.07 * short)) ** 2)).astype(np.float32)
    vertical = Image.linear_gradient("L").resize((width, height))
    x_ramp = (np.arange(width, dtype=np.float32) / max(1, width - 1)) - 0.5
    return _Assets(vertical, x_ramp, {k: v.astype(np.float32) for k, v in shading.items()}, gloss)


GLOSS = {"Leather": 0.42, "Acetate": 0.5, "Nylon": 0.18, "Silk": 0.22}


def _draw_pattern(fill: Image.Image, pattern: str, colour: RGB, left: float, top: float, box: float) -> None:
    draw = ImageDraw.Draw(fill)
    width, height = fill.size
    if pattern == "check":
        period = box / 4.5
        band = darker(colour, 0.6) if luminance(colour) > 60 else lighter(colour, 0.35)
        line = (250, 250, 246) if luminance(colour) < 170 else (30, 30, 30)
        accent = (190, 30, 36) if colour[0] < 150 or colour[1] > 120 else (250, 250, 246)
        for k in range(-2, int(max(width, height) / period) + 8):
            x = left + (k - 4) * period
            y = top + (k - 4) * period
            draw.rectangle([x, 0, x + 0.34 * period, height], fill=band)
            draw.rectangle([0, y, width, y + 0.34 * period], fill=band)
        thin = max(1.0, period * 0.06)
        for k in range(-2, int(max(width, height) / period) + 8):
            x = left + (k - 4) * period + 0.17 * period
            y = top + (k - 4) * period + 0.17 * period
            draw.rectangle([x, 0, x + thin, height], fill=line)
            draw.rectangle([0, y, width, y + thin], fill=line)
            draw.rectangle([x + 0.5 * period, 0, x + 0.5 * period + thin, height], fill=accent)
    elif pattern == "stripe":
        period = box / 6
        stripe = contrast_colour(colour)
        for k in range(int(height / period) + 12):
            y = top + (k - 6) * period
            draw.rectangle([0, y, width, y + 0.42 * period], fill=stripe)
    elif pattern == "monogram":
        period = box / 5
        motif = contrast_colour(colour)
        r = 0.17 * period
        for row in range(int(height / period) + 12):
            for col in range(int(width / period) + 12):
                x = left + (col - 6) * period + (period / 2 if row % 2 else 0)
                y = top + (row - 6) * period
                draw.polygon([(x, y - r), (x + r, y), (x, y + r), (x - r, y)], fill=motif)


def _draw_prop(draw: ImageDraw.ImageDraw, rng: np.random.Generator, width: int, height: int) -> None:
    short = min(width, height)
    size = short * rng.uniform(0.12, 0.17)
    x = float(rng.choice([0.04 * width, 0.96 * width - 1.35 * size]))  # the widest prop is 1.3 x size
    y = height - size * 1.1 - rng.uniform(0.0, 0.03) * height
    kind = int(rng.integers(3))
    if kind == 0:  # potted plant
        draw.polygon(
            [
                (x + size * 0.2, y + size * 0.55),
                (x + size * 0.8, y + size * 0.55),
                (x + size * 0.7, y + size),
                (x + size * 0.3, y + size),
            ],
            fill=(176, 98, 64),
        )
        draw.ellipse([x, y, x + size, y + size * 0.62], fill=(74, 128, 72))
    elif kind == 1:  # book
        draw.rectangle([x, y + size * 0.6, x + size * 1.3, y + size], fill=(92, 104, 122))
        draw.rectangle(
            [x + size * 0.05, y + size * 0.64, x + size * 1.3, y + size * 0.7], fill=(236, 232, 220)
        )
    else:  # cup
        draw.ellipse(
            [x + size * 0.7, y + size * 0.45, x + size * 1.0, y + size * 0.8],
            outline=(232, 230, 226),
            width=max(1, int(size * 0.07)),
        )
        draw.rectangle([x + size * 0.1, y + size * 0.35, x + size * 0.8, y + size], fill=(232, 230, 226))


def _item_centre(rng: np.random.Generator, settings: PhotoSettings, box: float) -> tuple[float, float]:
    width, height = settings.width, settings.height
    short = min(width, height)
    cx = width / 2 + rng.uniform(-0.06, 0.06) * short
    cy = height / 2 + rng.uniform(-0.06, 0.06) * short
    if rng.random() < settings.crop_rate:  # push the item so 10-18 % of its box leaves the frame
        edge = int(rng.integers(4))
        overshoot = rng.uniform(0.1, 0.18) * box
        if edge == 0:
            cx = box / 2 - overshoot
        elif edge == 1:
            cx = width - box / 2 + overshoot
        elif edge == 2:
            cy = box / 2 - overshoot
        else:
            cy = height - box / 2 + overshoot
    return cx, cy


def render_product(attrs: Attributes, rng: np.random.Generator, settings: PhotoSettings) -> Image.Image:
    """The photo of one product: an RGB image of settings.width x settings.height."""
    width, height = settings.width, settings.height
    assets = _assets(width, height)
    short = min(width, height)
    colour = COLOUR_BY_NAME[attrs.colour].rgb
    shape: Shape = shape_for(attrs.leaf)

    box = item_scale(attrs) * rng.uniform(0.95, 1.05) * short
    cx, cy = _item_centre(rng, settings, box)
    transform = _Transform(cx, cy, box, math.radians(rng.uniform(-6.0, 6.0)))

    # Background: a paper sweep, lighter at the top.
    base = BACKGROUNDS[int(rng.integers(len(BACKGROUNDS)))]
    photo = Image.composite(
        Image.new("RGB", (width, height), darker(base, rng.uniform(0.86, 0.94))),
        Image.new("RGB", (width, height), base),
        assets.vertical,
    )
    if rng.random() < settings.prop_rate:
        _draw_prop(ImageDraw.Draw(photo), rng, width, height)

    mask = Image.new("L", (width, height), 0)
    draw_mask = ImageDraw.Draw(mask)
    for polygon in shape.body:
        draw_mask.polygon(transform(polygon), fill=255)
    for line, line_width in shape.strokes:
        draw_mask.line(transform(line), fill=255, width=max(1, round(line_width * box)), joint="curve")
    for polygon in shape.holes:
        draw_mask.polygon(transform(polygon), fill=0)

    # Soft shadow below and to the side of the item.
    small = mask.reduce(4).filter(ImageFilter.GaussianBlur(2.0))
    shadow = Image.new("L", (width, height), 0)
    shadow.paste(
        small.resize((width, height), Image.Resampling.BILINEAR), (int(0.02 * short), int(0.03 * short))
    )
    strength = rng.uniform(0.25, 0.45)
    photo = Image.composite(
        Image.new("RGB", (width, height), darker(base, 0.45)),
        photo,
        shadow.point(lambda v: int(v * strength)),
    )

    fill = Image.new("RGB", (width, height), colour)
    _draw_pattern(fill, attrs.pattern, colour, cx - box / 2, cy - box / 2, box)
    pixels = np.asarray(fill, dtype=np.float32) * assets.shading[attrs.material][..., None]
    if attrs.material == "Suede":
        pixels = 0.85 * pixels + 0.15 * pixels.mean(axis=2, keepdims=True) + 10
    elif attrs.material == "Cashmere":
        pixels = 0.9 * pixels + 0.1 * 255
    gloss = GLOSS.get(attrs.material)
    if gloss:
        ox, oy = int(width - cx), int(height - cy)
        band = assets.gloss[oy : oy + height, ox : ox + width][..., None] * gloss
        pixels = pixels * (1 - band) + 255 * band
    item = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
    if attrs.material in ("Cashmere", "Wool"):
        mask = mask.filter(ImageFilter.BoxBlur(max(1, short // 200)))
    photo = Image.composite(item, photo, mask)

    _draw_details(ImageDraw.Draw(photo), shape, attrs, colour, transform, box)

    # Light: overall exposure, a left-right falloff and a warm or cool cast.
    exposure = rng.uniform(0.88, 1.06) * (1 + rng.uniform(-0.12, 0.12) * assets.x_ramp)
    warmth = rng.uniform(-0.04, 0.04)
    gains = np.array([1 + warmth, 1.0, 1 - warmth], dtype=np.float32)
    lit = np.asarray(photo, dtype=np.float32) * exposure[None, :, None] * gains
    return Image.fromarray(np.clip(lit, 0, 255).astype(np.uint8), "RGB")


def _draw_details(
    draw: ImageDraw.ImageDraw, shape: Shape, attrs: Attributes, colour: RGB, transform: _Transform, box: float
) -> None:
    outline = darker(colour, 0.62) if luminance(colour) > 60 else lighter(colour, 0.25)
    for polygon in shape.body:
        points = transform(polygon)
        draw.line([*points, points[0]], fill=outline, width=max(1, round(0.012 * box)))
    metal = METAL.get(attrs.hardware, GUNMETAL)
    accent_fill = {
        "dark": darker(colour, 0.6) if luminance(colour) > 60 else lighter(colour, 0.18),
        "light": lighter(colour, 0.55),
        "sole": SOLE,
        "lens": LENS,
        "metal": metal,
    }
    for role, polygon in shape.accents:
        draw.polygon(transform(polygon), fill=accent_fill[role], outline=outline)
    for line, line_width in shape.seams:
        draw.line(transform(line), fill=outline, width=max(1, round(line_width * box)))
    if attrs.hardware in METAL or shape.always_show_anchors:
        radius = (0.045 if attrs.hardware in METAL else 0.03) * box
        dot = (
            metal
            if attrs.hardware in METAL
            else darker(colour, 0.45)
            if luminance(colour) > 60
            else lighter(colour, 0.4)
        )
        for x, y in transform(shape.anchors):
            draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=dot, outline=darker(dot, 0.6))
    if attrs.hardware == "Logo":
        ((x, y),) = transform([shape.logo])
        w, h = 0.12 * box, 0.05 * box
        patch = (250, 250, 248) if luminance(colour) < 150 else (24, 24, 26)
        draw.rectangle([x - w, y - h, x + w, y + h], fill=patch)
        ink = colour if luminance(colour) < 150 else (250, 250, 248)
        draw.rectangle([x - w * 0.7, y - h * 0.3, x + w * 0.7, y + h * 0.3], fill=ink)


def encode_photo(image: Image.Image, image_format: str, quality: int) -> bytes:
    """JPEG (at `quality`) or PNG bytes; PIL's encoders are deterministic for equal input."""
    buffer = io.BytesIO()
    if image_format == "png":
        image.save(buffer, format="PNG", compress_level=1)
    else:
        image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()
