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
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter
from productlens.generate.materials import (
    GLOSS,
    SOFT_EDGES,
    THREAD,
    finish_colour,
    light_direction,
    texture_key,
    textures,
)
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


@lru_cache(maxsize=4)
def _sweep(width: int, height: int) -> np.ndarray:
    """A paper sweep: the wall darker towards the bend, the floor lit in front, a gentle vignette."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    v, u = ys / max(1, height - 1), xs / max(1, width - 1) - 0.5
    bend = 0.62
    wall = 1.0 - 0.09 * np.clip(v / bend, 0, 1) ** 2
    floor = 0.91 + 0.07 * np.clip((v - bend) / (1 - bend), 0, 1)
    sweep = np.where(v < bend, wall, floor)
    vignette = 1.0 - 0.16 * (u**2 * 1.6 + (v - 0.45) ** 2)
    return (sweep * vignette).astype(np.float32)


def _shade(
    height_field: np.ndarray, light: np.ndarray, gloss: np.ndarray, relief: float
) -> tuple[np.ndarray, np.ndarray]:
    """Lambert shading and a specular lobe of a height field lit from `light` (both (h, w) float32)."""
    gy, gx = np.gradient(height_field * relief)
    norm = 1.0 / np.sqrt(gx * gx + gy * gy + 1.0)
    n_dot_l = (-gx * light[0] - gy * light[1] + light[2]) * norm
    shade = 0.38 + 0.62 * np.clip(n_dot_l, 0.0, None) / light[2]
    half = light + np.array([0.0, 0.0, 1.0], np.float32)
    half /= np.linalg.norm(half)
    n_dot_h = np.clip((-gx * half[0] - gy * half[1] + half[2]) * norm, 0.0, 1.0)
    # The highlight sits where the surface turns towards the light more than a flat face does
    # (the lit shoulder of a bag, the toe of a shoe), with a faint sheen over the rest.
    towards = np.clip((n_dot_h - half[2]) / (1.0 - half[2]), 0.0, 1.0)
    highlight = towards * towards * (3 - 2 * towards)
    sheen = n_dot_h**16
    return shade.astype(np.float32), (gloss * (0.85 * highlight + 0.1 * sheen)).astype(np.float32)


def render_product(attrs: Attributes, rng: np.random.Generator, settings: PhotoSettings) -> Image.Image:
    """The photo of one product: an RGB image of settings.width x settings.height."""
    width, height = settings.width, settings.height
    short = min(width, height)
    colour = COLOUR_BY_NAME[attrs.colour].rgb
    shape: Shape = shape_for(attrs.leaf, kids=attrs.audience == "KIDS")
    looks = textures(width, height)

    box = item_scale(attrs) * rng.uniform(0.95, 1.05) * short
    cx, cy = _item_centre(rng, settings, box)
    transform = _Transform(cx, cy, box, math.radians(rng.uniform(-6.0, 6.0)))
    light = light_direction(rng.uniform(-150.0, -30.0), rng.uniform(42.0, 60.0))

    # Background: a paper sweep of one colour, lit from the front, with a gentle vignette.
    base_index = int(rng.integers(len(BACKGROUNDS)))
    brightness = rng.uniform(0.94, 1.02)
    photo = _backdrop(width, height, base_index).copy()
    if rng.random() < settings.prop_rate:
        _draw_prop(ImageDraw.Draw(photo), rng, width, height)

    # The item's outline at twice the size, reduced: smooth edges.
    double = _Transform(cx * 2, cy * 2, box * 2, transform.angle)
    alpha2 = Image.new("L", (width * 2, height * 2), 0)
    draw_alpha = ImageDraw.Draw(alpha2)
    for part in shape.parts:
        draw_alpha.polygon(double(part.polygon), fill=255)
    for line, line_width, _ in shape.strokes:
        draw_alpha.line(double(line), fill=255, width=max(1, round(line_width * box * 2)), joint="curve")
    for hole in shape.holes:
        draw_alpha.polygon(double(hole), fill=0)
    alpha = alpha2.reduce(2)
    if attrs.material in SOFT_EDGES:
        alpha = alpha.filter(ImageFilter.BoxBlur(max(1, short // 220)))

    # Shadows from the same light: a drop shadow away from it and a contact shadow under the item.
    quarter = alpha.reduce(4)
    qw, qh = quarter.size
    reach = 0.05 * box / 4 * (1.4 if shape.standing else 0.7)
    drop = Image.new("L", (qw, qh), 0)
    drop.paste(quarter, (round(-light[0] / light[2] * reach), round(-light[1] / light[2] * reach)))
    drop = drop.filter(ImageFilter.GaussianBlur(max(1.0, 0.03 * box / 4)))
    contact = quarter.filter(ImageFilter.GaussianBlur(max(0.6, 0.008 * box / 4)))
    if shape.standing and (bbox := quarter.getbbox()):
        foot = quarter.crop(bbox).resize((bbox[2] - bbox[0], max(1, (bbox[3] - bbox[1]) // 8)))
        contact = Image.new("L", (qw, qh), 0)
        contact.paste(foot, (bbox[0], bbox[3] - foot.size[1] // 2))
        contact = contact.filter(ImageFilter.GaussianBlur(max(0.8, 0.015 * box / 4)))
    strength = rng.uniform(0.3, 0.45)
    shadow = np.asarray(drop, np.float32) * (0.75 * strength / 255) + np.asarray(contact, np.float32) * (
        0.41 / 255
    )
    shadow_full = Image.fromarray(shadow, "F").resize((width, height), Image.Resampling.BILINEAR)

    # The item's surface: colours per part, its height (for light) and gloss at half size.
    colours = role_colours(colour, attrs.hardware)
    material_gloss = GLOSS[attrs.material]
    half = _Transform(cx / 2, cy / 2, box / 2, transform.angle)
    hw, hh = (width + 1) // 2, (height + 1) // 2
    solid = Image.new("RGB", (width, height), colour)
    patterned = Image.new("L", (width, height), 0)
    tone_map = Image.new("L", (width, height), 255)
    height0 = Image.new("L", (hw, hh), 0)
    gloss0 = Image.new("L", (hw, hh), 0)
    draw_solid, draw_pattern, draw_tone = (
        ImageDraw.Draw(solid),
        ImageDraw.Draw(patterned),
        ImageDraw.Draw(tone_map),
    )
    draw_height, draw_gloss = ImageDraw.Draw(height0), ImageDraw.Draw(gloss0)
    for part in shape.parts:
        points = transform(part.polygon)
        draw_solid.polygon(points, fill=darker(colours[part.role], part.tone))
        draw_pattern.polygon(points, fill=255 if part.role in PATTERNED else 0)
        draw_tone.polygon(points, fill=int(255 * part.tone * (0.8 if part.role == "trim" else 1.0)))
        half_points = half(part.polygon)
        draw_height.polygon(half_points, fill=int(np.clip(130 + 28 * part.lift, 20, 250)))
        gloss = material_gloss if part.role in ("body", "trim", "rib", "light") else ROLE_GLOSS[part.role]
        draw_gloss.polygon(half_points, fill=int(255 * gloss))
    # Broad volume: the part levels blurred wide (the pattern wraps around it, the light shades it).
    h_wide = np.asarray(height0.filter(ImageFilter.GaussianBlur(max(1.0, 0.06 * box / 2))), np.float32) / 255
    fill = solid
    if attrs.pattern != "plain":
        layer = Image.new("RGB", (width, height), colour)
        _draw_pattern(
            layer, attrs.pattern, colour, cx - box / 2, cy - box / 2, box, vertical=shape.stripe_angle >= 45
        )
        if (item_box := alpha.getbbox()) is not None:
            layer = _wrap(layer, h_wide, 0.05 * box, item_box)
        toned = ImageChops.multiply(layer, Image.merge("RGB", (tone_map, tone_map, tone_map)))
        fill = Image.composite(toned, solid, patterned)
    _draw_details(fill, height0, gloss0, shape, attrs, colour, colours, transform, half, box)

    # Part edges and seams from narrower blurs of the levels, details included.
    h_mid = np.asarray(height0.filter(ImageFilter.BoxBlur(max(1, round(0.03 * box / 2)))), np.float32) / 255
    h_near = np.asarray(height0.filter(ImageFilter.BoxBlur(max(1, round(0.01 * box / 2)))), np.float32) / 255
    height_field = 0.5 * h_wide + 0.3 * h_mid + 0.2 * h_near
    folds = shape.folds + (0.5 if attrs.material == "Silk" else 0.0)
    if folds:
        height_field = height_field + looks.folds[:hh, :hw] * (0.025 * folds) * (h_near > 0.2)
    gloss_field = np.asarray(gloss0, np.float32) / 255
    shade, spec = _shade(height_field, light, gloss_field, relief=0.9 * box / 2 * 0.06)
    # Light: overall exposure, a falloff away from the light and a warm or cool cast.
    ramp = (np.arange(width, dtype=np.float32) / max(1, width - 1)) - 0.5
    exposure = rng.uniform(0.9, 1.06) * (1 - rng.uniform(0.0, 0.12) * ramp * np.sign(light[0] or 1.0))
    warmth = rng.uniform(-0.04, 0.04)
    gains = np.array([1 + warmth, 1.0, 1 - warmth], dtype=np.float32)

    # Backdrop in 8 bits: times shadow, brightness and exposure (scaled by 1 / HEADROOM so that it
    # stays below 1); the item is lit in floats inside its box only; one lookup table at the end
    # applies the colour cast and gives the headroom back.
    light_ramp = (brightness / HEADROOM) * exposure[None, :]
    backdrop_light = (1 - np.asarray(shadow_full)) * light_ramp
    level = Image.fromarray(np.clip(backdrop_light * 255, 0, 255).astype(np.uint8), "L")
    out = ImageChops.multiply(photo, Image.merge("RGB", (level, level, level)))
    bbox = alpha.getbbox()
    if bbox is not None:
        x0, y0, x1, y1 = bbox
        area = (slice(y0, y1), slice(x0, x1))
        size, source = (x1 - x0, y1 - y0), (x0 / 2, y0 / 2, x1 / 2, y1 / 2)
        shade_full = np.asarray(
            Image.fromarray(shade, "F").resize(size, Image.Resampling.BILINEAR, box=source)
        )
        spec_full = np.asarray(Image.fromarray(spec, "F").resize(size, Image.Resampling.BILINEAR, box=source))
        pixels = finish_colour(np.asarray(fill.crop(bbox), np.float32), attrs.material)
        if attrs.material == "Denim":  # worn lighter where the cloth stands out
            raised = np.asarray(
                Image.fromarray(h_wide, "F").resize(size, Image.Resampling.BILINEAR, box=source)
            )
            pixels += 38 * np.clip(raised - 0.4, 0, 1)[..., None]
        ramp = exposure[None, x0:x1] / HEADROOM
        diffuse = looks.maps[texture_key(attrs.material, shape.knit)][area] * shade_full * ramp
        pixels *= diffuse[..., None]
        pixels += (255 * spec_full * ramp)[..., None]
        item = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
        out.paste(item, bbox[:2], alpha.crop(bbox))
    scale = HEADROOM * gains
    table = [min(255, int(v * g + 0.5)) for g in scale for v in range(256)]
    return out.point(table)


HEADROOM = 1.25  # the largest light level (exposure x brightness x highlight) kept exact in 8 bits


def _wrap(
    layer: Image.Image, height_field: np.ndarray, amount: float, bbox: tuple[int, int, int, int]
) -> Image.Image:
    """The pattern drawn on the surface: squeezed towards the outline where the surface turns away.

    Inside the item's box, each pixel samples the pattern from a point moved against the slope of
    the broad (half-size) height field, so stripes and checks bend around the volume.
    """
    x0, y0, x1, y1 = bbox
    size, source = (x1 - x0, y1 - y0), (x0 / 2, y0 / 2, x1 / 2, y1 / 2)
    gy, gx = np.gradient(height_field * (amount * 2))
    shift_x = np.asarray(Image.fromarray(gx, "F").resize(size, Image.Resampling.BILINEAR, box=source))
    shift_y = np.asarray(Image.fromarray(gy, "F").resize(size, Image.Resampling.BILINEAR, box=source))
    ys, xs = _grid(layer.width, layer.height)
    area = (slice(y0, y1), slice(x0, x1))
    sample_x = np.clip(xs[area] - shift_x, 0, layer.width - 1).astype(np.intp)
    sample_y = np.clip(ys[area] - shift_y, 0, layer.height - 1).astype(np.intp)
    pixels = np.array(layer)
    pixels[area] = pixels[sample_y, sample_x]
    return Image.fromarray(pixels, "RGB")


@lru_cache(maxsize=4)
def _grid(width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    return ys, xs


@lru_cache(maxsize=16)
def _backdrop(width: int, height: int, base_index: int) -> Image.Image:
    base = np.array(BACKGROUNDS[base_index], np.float32)
    return Image.fromarray(np.clip(_sweep(width, height)[..., None] * base, 0, 255).astype(np.uint8), "RGB")


def _draw_details(
    fill: Image.Image,
    height0: Image.Image,
    gloss0: Image.Image,
    shape: Shape,
    attrs: Attributes,
    colour: RGB,
    colours: dict[str, RGB],
    transform: _Transform,
    half: _Transform,
    box: float,
) -> None:
    """Strokes, seams, topstitching, eyelets and holes, hardware and the logo: on the colour, height and gloss."""
    draw, draw_height, draw_gloss = ImageDraw.Draw(fill), ImageDraw.Draw(height0), ImageDraw.Draw(gloss0)
    seam = darker(colour, 0.62) if luminance(colour) > 60 else lighter(colour, 0.22)
    thread = THREAD.get(
        attrs.material, darker(colour, 0.7) if luminance(colour) > 90 else lighter(colour, 0.35)
    )
    for line, line_width, role in shape.strokes:
        w = max(1, round(line_width * box))
        draw.line(transform(line), fill=colours[role], width=w, joint="curve")
        draw_height.line(half(line), fill=200, width=max(1, w // 2))
        draw_gloss.line(
            half(line), fill=int(255 * ROLE_GLOSS.get(role, GLOSS[attrs.material])), width=max(1, w // 2)
        )
    for line, line_width in shape.seams:
        draw.line(transform(line), fill=seam, width=max(1, round(line_width * box)))
        draw_height.line(half(line), fill=70, width=max(1, round(line_width * box / 2)))
    stitch_width = max(1, round(0.006 * box))
    for line in shape.stitches:
        for piece in _dashes(transform(line), max(2.0, 0.018 * box)):
            draw.line(piece, fill=thread, width=stitch_width)
    for centre, radius, dot_role in shape.dots:
        role = "metal" if dot_role == "eyelet" and attrs.hardware in METAL else dot_role
        ((x, y),) = transform([centre])
        r = max(1.0, radius * box)
        ring = colours["metal"] if role == "metal" else darker(colours[role], 0.7)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=colours[role], outline=ring)
        ((hx, hy),) = half([centre])
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
        for (x, y), (hx, hy) in zip(transform(shape.anchors), half(shape.anchors), strict=True):
            draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=dot, outline=darker(dot, 0.6))
            draw_height.ellipse(
                [hx - radius / 2, hy - radius / 2, hx + radius / 2, hy + radius / 2], fill=230
            )
            draw_gloss.ellipse(
                [hx - radius / 2, hy - radius / 2, hx + radius / 2, hy + radius / 2],
                fill=240 if attrs.hardware in METAL else 60,
            )
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
