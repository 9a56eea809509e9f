"""How each material looks: a subtle surface texture, a gloss, and a few colour adjustments.

Textures are multiplicative brightness maps made once per photo size from a fixed seed (they are
part of the look, not of the sample). They stay subtle, as real materials look at catalogue size:
a heavy bump reads as another material (leather grain as crocodile, twill as terrycloth). What
tells materials apart at 64 px is mostly the finish: gloss and highlight (leather, acetate, silk,
nylon) against matte (wool, cashmere, suede, cotton), suede's dusty nap, denim's twill and fade.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image

# Share of a specular highlight each finish shows (0 = matte).
GLOSS: dict[str, float] = {
    "Leather": 0.6,
    "Acetate": 0.75,
    "Nylon": 0.4,
    "Silk": 0.55,
    "Suede": 0.0,
    "Canvas": 0.03,
    "Cotton": 0.04,
    "Wool": 0.0,
    "Cashmere": 0.02,
    "Denim": 0.05,
}
SOFT_EDGES = {"Wool", "Cashmere", "Suede"}  # fibres soften the outline
THREAD: dict[str, tuple[int, int, int]] = {"Denim": (214, 146, 64)}  # denim's tan topstitching
KNIT_AMOUNT = {"Wool": 0.12, "Cashmere": 0.07, "Cotton": 0.08}  # how strongly the stitches show


@dataclass(frozen=True)
class Textures:
    """(H, W) float32 brightness maps around 1.0, by material (and "Knit-<material>" for knitwear)."""

    maps: dict[str, np.ndarray]
    folds: np.ndarray  # ((H + 1) // 2, (W + 1) // 2) soft cloth folds, zero mean


def _smooth_noise(rng: np.random.Generator, height: int, width: int, cell: float) -> np.ndarray:
    small = rng.normal(0.0, 1.0, (max(2, int(height / cell)), max(2, int(width / cell)))).astype(np.float32)
    image = Image.fromarray(small, mode="F").resize((width, height), Image.Resampling.BICUBIC)
    return np.asarray(image, dtype=np.float32)


def _knit(xs: np.ndarray, ys: np.ndarray, pitch: float) -> np.ndarray:
    """Columns of V-shaped stitches, the look of a stocking-stitch knit."""
    column = (xs / pitch) % 1.0
    v = np.abs(column - 0.5) * 2  # 0 in the column centre, 1 at its edge
    row = ((ys / (pitch * 0.8)) + v * 0.5) % 1.0
    return (0.5 - np.abs(row - 0.5)) * 2 * (1 - 0.6 * v) - 0.35


@lru_cache(maxsize=4)
def textures(width: int, height: int) -> Textures:
    rng = np.random.default_rng(20240501)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    scale = min(width, height) / 336  # textures keep their size relative to the photo
    fine = rng.normal(0.0, 1.0, (height, width)).astype(np.float32)
    pitch = max(2.0, 3.2 * scale)
    maps = {
        "Leather": 1 + 0.035 * _smooth_noise(rng, height, width, max(1.5, 2.2 * scale)) + 0.01 * fine,
        "Acetate": np.ones((height, width), np.float32),
        "Suede": 1
        + 0.07 * _smooth_noise(rng, height, width, max(2.0, 9 * scale))
        + 0.04 * _smooth_noise(rng, height, width, 1.5),
        "Nylon": 1
        + 0.03 * (np.sin(2 * np.pi * xs / (6 * scale + 1)) * np.sin(2 * np.pi * ys / (6 * scale + 1)) > 0.9)
        - 0.015,
        "Cotton": 1 + 0.03 * np.sin(2 * np.pi * xs / pitch) * np.sin(2 * np.pi * ys / pitch) + 0.02 * fine,
        "Canvas": 1
        + 0.06 * np.sin(2 * np.pi * xs / (pitch * 1.3)) * np.sin(2 * np.pi * ys / (pitch * 1.3))
        + 0.03 * fine,
        "Wool": 1 + 0.06 * _smooth_noise(rng, height, width, max(2.0, 4 * scale)) + 0.04 * fine,
        "Cashmere": 1 + 0.04 * _smooth_noise(rng, height, width, max(2.0, 7 * scale)),
        "Silk": 1 + 0.01 * fine,
        "Denim": 1
        + 0.07 * np.sin(2 * np.pi * (xs + ys) / max(3.0, 4 * scale))
        + 0.05 * _smooth_noise(rng, height, width, 3) * np.sin(xs * 0.9) ** 2
        + 0.03 * fine,
    }
    for material, amount in KNIT_AMOUNT.items():
        knit = _knit(xs, ys, max(3.0, 5 * scale))
        maps[f"Knit-{material}"] = maps[material] + amount * knit
    half_h, half_w = (height + 1) // 2, (width + 1) // 2  # the renderer's half-size surface
    fys, fxs = np.mgrid[0:half_h, 0:half_w].astype(np.float32)
    short = min(width, height) / 2
    folds = (
        np.sin(2 * np.pi * (fxs * 0.9 + fys * 0.3) / (0.35 * short))
        + 0.6 * np.sin(2 * np.pi * (fxs * -0.4 + fys) / (0.22 * short) + 1.3)
        + 0.8 * _smooth_noise(rng, half_h, half_w, 0.12 * short)
    ).astype(np.float32)
    return Textures({k: v.astype(np.float32) for k, v in maps.items()}, folds / 2.5)


def texture_key(material: str, knit: bool) -> str:
    """The texture of `material`, knitted when the item is knitwear and the yarn can be knitted."""
    return f"Knit-{material}" if knit and material in KNIT_AMOUNT else material


def finish_colour(bands: list[np.ndarray], material: str) -> list[np.ndarray]:
    """Colour changes a material makes to the (red, green, blue) bands: suede dusty and soft, cashmere milky."""
    if material == "Suede":
        grey = (bands[0] + bands[1] + bands[2]) * np.float32(0.18 / 3) + np.float32(12)
        return [band * np.float32(0.82) + grey for band in bands]
    if material == "Cashmere":
        return [band * np.float32(0.92) + np.float32(0.08 * 235) for band in bands]
    return bands


def light_direction(azimuth_degrees: float, elevation_degrees: float = 50.0) -> np.ndarray:
    """Unit vector towards the light (x right, y down, z towards the camera)."""
    a, e = math.radians(azimuth_degrees), math.radians(elevation_degrees)
    return np.array([math.cos(a) * math.cos(e), math.sin(a) * math.cos(e), math.sin(e)], dtype=np.float32)
