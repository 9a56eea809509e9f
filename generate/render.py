"""Render a product photo from its visible attributes (PIL + numpy; no randomness of its own).

Everything the photo varies (background, light, shadow, position, scale, rotation, props, crops)
is drawn from the `rng` the caller passes, so one (seed, row index) always gives the same pixels.
The photo is a simple studio shot: a paper sweep with a gentle vignette, one light whose direction
sets both the shading and the shadows (a drop shadow away from it, a contact shadow under the item),
and the item drawn part by part (`silhouettes.py`). The parts give a height field (a blurred map of
part levels: domes at the outline, steps where one part lies over another, grooves at seams) that is
lit as a surface (Lambert plus a specular lobe whose strength is each part's gloss). Materials add a
subtle texture and finish (`materials.py`). What a model must read stays bold at 64 px: the item
fills most of the frame, colours are saturated and patterns coarse (a few repeats across the item).
Cost: the item is drawn and lit inside its region of the photo only (`placement.py`), the light is
computed at half (surface) and quarter (backdrop, shadows) size and brought up bilinearly
(`lighting.py`), and colour channels are kept as separate arrays to the end.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter
from productlens.generate.lighting import shade_height_field, sweep, upsample
from productlens.generate.materials import (
    GLOSS,
    SOFT_EDGES,
    THREAD,
    Textures,
    finish_colour,
    light_direction,
    texture_key,
    textures,
)
from productlens.generate.placement import Geometry, Placed, Region, geometry_of, item_region, place
from productlens.generate.silhouettes import Shape, shape_for
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


def _draw_pattern(
    fill: Image.Image, pattern: str, colour: RGB, left: float, top: float, box: float, vertical: bool = False
) -> None:
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
        for k in range(int(max(width, height) / period) + 12):
            if vertical:  # pinstripes run down a trouser leg
                x = left + (k - 6) * period
                draw.rectangle([x, 0, x + 0.3 * period, height], fill=stripe)
            else:
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


ROLE_GLOSS: dict[str, float] = {
    "metal": 0.95,
    "lens": 0.9,
    "glint": 0.4,
    "sole": 0.12,
    "tread": 0.05,
    "heel": 0.35,
    "inside": 0.0,
    "eyelet": 0.0,
    "lining": 0.05,
    "card": 0.25,
    "card_white": 0.25,
    "card_black": 0.35,
    "lace": 0.0,
    "hanger": 0.5,
}
PATTERNED = {"body", "trim"}


def role_colours(colour: RGB, hardware: str) -> dict[str, RGB]:
    """The colour of every part role for an item of `colour` with `hardware`."""
    light_item = luminance(colour) > 150
    return {
        "body": colour,
        "trim": darker(colour, 0.8) if luminance(colour) > 40 else lighter(colour, 0.1),
        "rib": darker(colour, 0.92) if luminance(colour) > 40 else lighter(colour, 0.05),
        "inside": darker(colour, 0.35 if light_item else 0.45),
        "lining": (206, 180, 146),
        "sole": SOLE,
        "tread": (52, 52, 56),
        "heel": (66, 46, 34),
        "metal": METAL.get(hardware, GUNMETAL),
        "eyelet": METAL[hardware] if hardware in METAL else darker(colour, 0.35 if light_item else 0.45),
        "lens": LENS,
        "glint": (84, 92, 110),
        "card": (48, 88, 164),
        "card_white": (238, 236, 230),
        "card_black": (34, 34, 38),
        "lace": (40, 40, 44) if light_item else (242, 242, 238),
        "hanger": (178, 130, 82),
        "light": lighter(colour, 0.5) if luminance(colour) < 170 else darker(colour, 0.7),
    }


def _dashes(line: list[tuple[float, float]], dash: float) -> list[list[tuple[float, float]]]:
    """Every other `dash`-long piece of a polyline (pixel coordinates): a topstitched seam."""
    out: list[list[tuple[float, float]]] = []
    pen, travelled = True, 0.0
    current = [line[0]]
    for (ax, ay), (bx, by) in pairwise(line):
        length = math.hypot(bx - ax, by - ay)
        t = 0.0
        while length - t > dash - travelled:
            t += dash - travelled
            point = (ax + (bx - ax) * t / length, ay + (by - ay) * t / length)
            if pen:
                out.append([*current, point])
            current, travelled, pen = [point], 0.0, not pen
        travelled += length - t
        current.append((bx, by))
    if pen and len(current) > 1:
        out.append(current)
    return out


def render_product(attrs: Attributes, rng: np.random.Generator, settings: PhotoSettings) -> Image.Image:
    """The photo of one product: an RGB image of settings.width x settings.height."""
    width, height = settings.width, settings.height
    short = min(width, height)
    colour = COLOUR_BY_NAME[attrs.colour].rgb
    kids = attrs.audience == "KIDS"
    shape: Shape = shape_for(attrs.leaf, kids=kids)
    geometry = geometry_of(attrs.leaf, kids)
    looks = textures(width, height)

    box = item_scale(attrs) * rng.uniform(0.95, 1.05) * short
    cx, cy = _item_centre(rng, settings, box)
    angle = math.radians(rng.uniform(-6.0, 6.0))
    light = light_direction(rng.uniform(-150.0, -30.0), rng.uniform(42.0, 60.0))

    # Background: a paper sweep of one colour, lit from the front, with a gentle vignette.
    base_index = int(rng.integers(len(BACKGROUNDS)))
    brightness = rng.uniform(0.94, 1.02)
    photo = None
    if rng.random() < settings.prop_rate:
        photo = _backdrop(width, height, base_index).copy()
        _draw_prop(ImageDraw.Draw(photo), rng, width, height)

    # Everything of the item is drawn inside its region of the photo only.
    pixels = place(geometry.points, cx, cy, box, angle)
    widest = max((w for _, w, _ in shape.strokes), default=0.0)
    region = item_region(pixels[: geometry.outline_end], 6 + widest * box / 2, width, height)
    x0, y0 = region[:2] if region else (0, 0)
    placed = Placed(pixels - np.array([x0, y0], np.float64))
    alpha = _outline(shape, geometry, placed, region, box, attrs.material in SOFT_EDGES, short)

    # Shadows from the same light: a drop shadow away from it and a contact shadow under the item.
    strength = rng.uniform(0.3, 0.45)
    shadow = _shadow(alpha, region, (width, height), light, box, shape.standing, strength)

    surface = None
    if alpha is not None and region is not None:
        corner = (cx - box / 2 - x0, cy - box / 2 - y0)
        surface = _surface(attrs, shape, geometry, placed, region, colour, box, corner, looks, light)
    # Light: overall exposure, a falloff away from the light and a warm or cool cast.
    level, falloff = rng.uniform(0.9, 1.06), rng.uniform(0.0, 0.12) * float(np.sign(light[0] or 1.0))
    ramp = (np.arange(width, dtype=np.float32) / max(1, width - 1)) - 0.5
    exposure = (level * (1 - falloff * ramp)).astype(np.float32)
    warmth = rng.uniform(-0.04, 0.04)
    gains = (1 + warmth, 1.0, 1 - warmth)

    # Each colour channel on its own (numpy is slow on a trailing axis of 3): backdrop x shadow x light,
    # then the lit item laid over it through its outline. The backdrop's light is smooth: it is
    # computed at a quarter of the size (where the shadows are made) and brought up bilinearly.
    qh, qw = shadow.shape
    quarter_ramp = (np.arange(qw, dtype=np.float32) * 4 + 1.5) / max(1, width - 1) - 0.5
    quarter_light = (1 - shadow) * (brightness * level * (1 - falloff * quarter_ramp)).astype(np.float32)
    if photo is None:
        quarter_light *= sweep(qw, qh)
    light_level = upsample(quarter_light, 4)[:height, :width]
    if photo is None:
        lit = light_level
        channels = [
            lit * np.float32(base * gain) for base, gain in zip(BACKGROUNDS[base_index], gains, strict=True)
        ]
    else:
        channels = [
            np.asarray(band, np.float32) * (light_level * np.float32(gain))
            for band, gain in zip(photo.split(), gains, strict=True)
        ]
    if surface is not None and alpha is not None and region is not None:
        x0, y0, x1, y1 = region
        cover = np.asarray(alpha, np.float32) * np.float32(1 / 255)
        for channel, item, gain in zip(
            channels, _lit_item(surface, looks, attrs, region, exposure), gains, strict=True
        ):
            under = channel[y0:y1, x0:x1]
            under += cover * (item * np.float32(gain) - under)
    bands = []
    for channel in channels:
        np.clip(channel, 0, 255, out=channel)
        bands.append(Image.fromarray(channel.astype(np.uint8)))
    return Image.merge("RGB", bands)


def _outline(
    shape: Shape,
    geometry: Geometry,
    placed: Placed,
    region: Region | None,
    box: float,
    soft: bool,
    short: int,
) -> Image.Image | None:
    """The item's coverage in its region (L): drawn at twice the size and reduced, for smooth edges."""
    if region is None:
        return None
    x0, y0, x1, y1 = region
    double = Image.new("L", (2 * (x1 - x0), 2 * (y1 - y0)), 0)
    draw = ImageDraw.Draw(double)
    for span in geometry.parts:
        draw.polygon(placed.double(span), fill=255)
    for span, (_, line_width, _) in zip(geometry.strokes, shape.strokes, strict=True):
        draw.line(placed.double(span), fill=255, width=max(1, round(line_width * box * 2)), joint="curve")
    for span in geometry.holes:
        draw.polygon(placed.double(span), fill=0)
    alpha = double.reduce(2)
    if soft:  # fibres soften the outline
        alpha = alpha.filter(ImageFilter.BoxBlur(max(1, short // 220)))
    return alpha


def _shadow(
    alpha: Image.Image | None,
    region: Region | None,
    size: tuple[int, int],
    light: np.ndarray,
    box: float,
    standing: bool,
    strength: float,
) -> np.ndarray:
    """How much light the item's shadows take, at a quarter of the photo's size (float32, 0..1)."""
    width, height = size
    if alpha is None or region is None:
        return np.zeros(((height + 3) // 4, (width + 3) // 4), np.float32)
    frame = Image.new("L", size, 0)
    frame.paste(alpha, region[:2])
    quarter = frame.reduce(4)
    qw, qh = quarter.size
    reach = 0.05 * box / 4 * (1.4 if standing else 0.7)
    drop = Image.new("L", (qw, qh), 0)
    drop.paste(quarter, (round(-light[0] / light[2] * reach), round(-light[1] / light[2] * reach)))
    drop = drop.filter(ImageFilter.GaussianBlur(max(1.0, 0.03 * box / 4)))
    contact = quarter.filter(ImageFilter.GaussianBlur(max(0.6, 0.008 * box / 4)))
    if standing and (bbox := quarter.getbbox()):
        foot = quarter.crop(bbox).resize((bbox[2] - bbox[0], max(1, (bbox[3] - bbox[1]) // 8)))
        contact = Image.new("L", (qw, qh), 0)
        contact.paste(foot, (bbox[0], bbox[3] - foot.size[1] // 2))
        contact = contact.filter(ImageFilter.GaussianBlur(max(0.8, 0.015 * box / 4)))
    return np.asarray(drop, np.float32) * np.float32(0.75 * strength / 255) + np.asarray(
        contact, np.float32
    ) * np.float32(0.41 / 255)


@dataclass(frozen=True)
class _Surface:
    """The item in its region: colour (RGB image), and at half size its light, highlight and broad height."""

    fill: Image.Image
    shade: np.ndarray
    spec: np.ndarray
    broad: np.ndarray
    texture: str


def _surface(
    attrs: Attributes,
    shape: Shape,
    geometry: Geometry,
    placed: Placed,
    region: Region,
    colour: RGB,
    box: float,
    corner: tuple[float, float],
    looks: Textures,
    light: np.ndarray,
) -> _Surface:
    """Colours per part, and the part levels (a height field) and gloss lit at half size.

    `corner`: the item box's top-left corner in region pixels (where the pattern starts).
    """
    x0, y0, x1, y1 = region
    rw, rh = x1 - x0, y1 - y0
    hw, hh = (rw + 1) // 2, (rh + 1) // 2
    colours = role_colours(colour, attrs.hardware)
    material_gloss = GLOSS[attrs.material]
    solid = Image.new("RGB", (rw, rh), colour)
    height0 = Image.new("L", (hw, hh), 0)
    gloss0 = Image.new("L", (hw, hh), 0)
    draw_solid, draw_height, draw_gloss = (
        ImageDraw.Draw(solid),
        ImageDraw.Draw(height0),
        ImageDraw.Draw(gloss0),
    )
    for part, span in zip(shape.parts, geometry.parts, strict=True):
        draw_solid.polygon(placed.full(span), fill=darker(colours[part.role], part.tone))
        half_points = placed.half(span)
        draw_height.polygon(half_points, fill=int(np.clip(130 + 28 * part.lift, 20, 250)))
        gloss = material_gloss if part.role in ("body", "trim", "rib", "light") else ROLE_GLOSS[part.role]
        draw_gloss.polygon(half_points, fill=int(255 * gloss))
    # Broad volume: the part levels blurred wide (the pattern wraps around it, the light shades it).
    h_wide = np.asarray(height0.filter(ImageFilter.GaussianBlur(max(1.0, 0.06 * box / 2))), np.float32) / 255
    fill = solid
    if attrs.pattern != "plain":
        layer = Image.new("P", (rw, rh), colour)  # a few colours: drawn and moved as palette indices
        left, top = corner
        _draw_pattern(layer, attrs.pattern, colour, left, top, box, vertical=shape.stripe_angle >= 45)
        fill = _pattern_on_parts(_wrap(layer, h_wide, 0.05 * box), solid, shape, geometry, placed)
    _draw_details(fill, height0, gloss0, shape, geometry, placed, attrs, colour, colours, box)

    # Part edges and seams from narrower blurs of the levels, details included.
    h_mid = np.asarray(height0.filter(ImageFilter.BoxBlur(max(1, round(0.03 * box / 2)))), np.float32)
    h_near = np.asarray(height0.filter(ImageFilter.BoxBlur(max(1, round(0.01 * box / 2)))), np.float32)
    height_field = h_wide * np.float32(0.5) + h_mid * np.float32(0.3 / 255) + h_near * np.float32(0.2 / 255)
    folds = shape.folds + (0.5 if attrs.material == "Silk" else 0.0)
    if folds:
        hx0, hy0 = x0 // 2, y0 // 2
        wave = looks.folds[hy0 : hy0 + hh, hx0 : hx0 + hw]
        height_field += wave * np.float32(0.025 * folds) * (h_near > 0.2 * 255)
    gloss_field = np.asarray(gloss0, np.float32) * np.float32(1 / 255)
    shade, spec = shade_height_field(height_field, light, gloss_field, relief=0.9 * box / 2 * 0.06)
    return _Surface(fill, shade, spec, h_wide, texture_key(attrs.material, shape.knit))


def _pattern_on_parts(
    pattern: Image.Image, solid: Image.Image, shape: Shape, geometry: Geometry, placed: Placed
) -> Image.Image:
    """The solid part colours with `pattern` on the parts that carry it, toned like the part."""
    patterned = Image.new("L", solid.size, 0)
    tone_map = Image.new("L", solid.size, 255)
    draw_pattern, draw_tone = ImageDraw.Draw(patterned), ImageDraw.Draw(tone_map)
    toned = False
    for part, span in zip(shape.parts, geometry.parts, strict=True):
        points = placed.full(span)
        draw_pattern.polygon(points, fill=255 if part.role in PATTERNED else 0)
        tone = part.tone * (0.8 if part.role == "trim" else 1.0)
        if tone != 1.0 or toned:  # the first parts are mostly plain: no tone map until one differs
            draw_tone.polygon(points, fill=int(255 * tone))
            toned = True
    if toned:
        pattern = ImageChops.multiply(pattern, Image.merge("RGB", (tone_map, tone_map, tone_map)))
    return Image.composite(pattern, solid, patterned)


def _lit_item(
    surface: _Surface, looks: Textures, attrs: Attributes, region: Region, exposure: np.ndarray
) -> list[np.ndarray]:
    """The item's red, green and blue in its region: colour x texture x light, plus the highlight."""
    x0, y0, x1, y1 = region
    rw, rh = x1 - x0, y1 - y0
    fields = [surface.shade, surface.spec] + ([surface.broad] if attrs.material == "Denim" else [])
    full = [upsample(field, 2)[:rh, :rw] for field in fields]
    ramp = exposure[None, x0:x1]
    diffuse = looks.maps[surface.texture][y0:y1, x0:x1] * full[0] * ramp
    highlight = full[1] * (255 * ramp)
    colour = np.asarray(surface.fill).transpose(2, 0, 1).astype(np.float32, order="C")
    bands = finish_colour(list(colour), attrs.material)
    if attrs.material == "Denim":  # worn lighter where the cloth stands out
        highlight += np.float32(38) * np.clip(full[2] - np.float32(0.4), 0, 1) * diffuse
    return [band * diffuse + highlight for band in bands]


def _wrap(layer: Image.Image, broad: np.ndarray, amount: float) -> Image.Image:
    """The pattern (a palette image) drawn on the surface: squeezed towards the outline where the
    surface turns away; returned in RGB.

    Each pixel samples the pattern from a point moved against the slope of the broad (half-size)
    height field, so stripes and checks bend around the volume.
    """
    width, height = layer.size
    gy, gx = np.gradient(np.asarray(broad * np.float32(amount * 2)))  # 2-D in, two 2-D arrays out
    shift_x, shift_y = (upsample(np.asarray(g), 2)[:height, :width] for g in (gx, gy))
    sample_x = np.clip(np.arange(width, dtype=np.float32)[None, :] - shift_x, 0, width - 1).astype(np.intp)
    sample_y = np.clip(np.arange(height, dtype=np.float32)[:, None] - shift_y, 0, height - 1).astype(np.intp)
    sample_y *= width
    sample_y += sample_x
    wrapped = Image.fromarray(np.take(np.asarray(layer).reshape(-1), sample_y), "P")
    palette = layer.getpalette()
    assert palette is not None  # a "P" image always has one
    wrapped.putpalette(palette)
    return wrapped.convert("RGB")


@lru_cache(maxsize=16)
def _backdrop(width: int, height: int, base_index: int) -> Image.Image:
    base = np.array(BACKGROUNDS[base_index], np.float32)
    return Image.fromarray(np.clip(sweep(width, height)[..., None] * base, 0, 255).astype(np.uint8), "RGB")


def _draw_details(
    fill: Image.Image,
    height0: Image.Image,
    gloss0: Image.Image,
    shape: Shape,
    geometry: Geometry,
    placed: Placed,
    attrs: Attributes,
    colour: RGB,
    colours: dict[str, RGB],
    box: float,
) -> None:
    """Strokes, seams, topstitching, eyelets and holes, hardware and the logo: on the colour, height and gloss."""
    draw, draw_height, draw_gloss = ImageDraw.Draw(fill), ImageDraw.Draw(height0), ImageDraw.Draw(gloss0)
    seam = darker(colour, 0.62) if luminance(colour) > 60 else lighter(colour, 0.22)
    thread = THREAD.get(
        attrs.material, darker(colour, 0.7) if luminance(colour) > 90 else lighter(colour, 0.35)
    )
    for span, (_, line_width, role) in zip(geometry.strokes, shape.strokes, strict=True):
        w = max(1, round(line_width * box))
        draw.line(placed.full(span), fill=colours[role], width=w, joint="curve")
        draw_height.line(placed.half(span), fill=200, width=max(1, w // 2))
        draw_gloss.line(
            placed.half(span),
            fill=int(255 * ROLE_GLOSS.get(role, GLOSS[attrs.material])),
            width=max(1, w // 2),
        )
    for span, (_, line_width) in zip(geometry.seams, shape.seams, strict=True):
        draw.line(placed.full(span), fill=seam, width=max(1, round(line_width * box)))
        draw_height.line(placed.half(span), fill=70, width=max(1, round(line_width * box / 2)))
    stitch_width = max(1, round(0.006 * box))
    for span in geometry.stitches:
        flat = placed.full(span)
        for piece in _dashes(list(zip(flat[0::2], flat[1::2], strict=True)), max(2.0, 0.018 * box)):
            draw.line(piece, fill=thread, width=stitch_width)
    for row, (_, radius, dot_role) in enumerate(shape.dots, start=geometry.dots):
        role = "metal" if dot_role == "eyelet" and attrs.hardware in METAL else dot_role
        x, y = placed.point(row)
        r = max(1.0, radius * box)
        ring = colours["metal"] if role == "metal" else darker(colours[role], 0.7)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=colours[role], outline=ring)
        hx, hy = placed.half_point(row)
        draw_height.ellipse(
            [hx - r / 2, hy - r / 2, hx + r / 2, hy + r / 2], fill=215 if role == "metal" else 60
        )
        if role == "metal":
            draw_gloss.ellipse([hx - r / 2, hy - r / 2, hx + r / 2, hy + r / 2], fill=240)
    metal = METAL.get(attrs.hardware, GUNMETAL)
    if attrs.hardware in METAL or shape.always_show_anchors:
        radius = (
            max(0.03, shape.anchor_radius * 1.15) if attrs.hardware in METAL else shape.anchor_radius
        ) * box
        dot = (
            metal
            if attrs.hardware in METAL
            else (darker(colour, 0.45) if luminance(colour) > 60 else lighter(colour, 0.4))
        )
        for row in range(geometry.anchors, geometry.anchors + len(shape.anchors)):
            (x, y), (hx, hy) = placed.point(row), placed.half_point(row)
            draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=dot, outline=darker(dot, 0.6))
            draw_height.ellipse(
                [hx - radius / 2, hy - radius / 2, hx + radius / 2, hy + radius / 2], fill=230
            )
            draw_gloss.ellipse(
                [hx - radius / 2, hy - radius / 2, hx + radius / 2, hy + radius / 2],
                fill=240 if attrs.hardware in METAL else 60,
            )
    if attrs.hardware == "Logo":
        x, y = placed.point(geometry.logo)
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
