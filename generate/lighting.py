"""The studio light of a photo in numpy: the paper sweep, a surface lit from one direction, 2x upsampling.

Fields are 2-D float32 arrays (one value per pixel; colour channels are kept apart, never as a
trailing axis of 3, because numpy broadcasts over a short last axis slowly). The renderer computes
the surface light at half size and brings it to full size with `upsample2`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np


@lru_cache(maxsize=4)
def sweep(width: int, height: int) -> np.ndarray:
    """A paper sweep: the wall darker towards the bend, the floor lit in front, a gentle vignette."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    v, u = ys / max(1, height - 1), xs / max(1, width - 1) - 0.5
    bend = 0.62
    wall = 1.0 - 0.09 * np.clip(v / bend, 0, 1) ** 2
    floor = 0.91 + 0.07 * np.clip((v - bend) / (1 - bend), 0, 1)
    sweep = np.where(v < bend, wall, floor)
    vignette = 1.0 - 0.16 * (u**2 * 1.6 + (v - 0.45) ** 2)
    return (sweep * vignette).astype(np.float32)


def shade_height_field(
    height_field: np.ndarray, light: np.ndarray, gloss: np.ndarray, relief: float
) -> tuple[np.ndarray, np.ndarray]:
    """Lambert shading and a specular lobe of a height field lit from `light` (both (h, w) float32)."""
    gy, gx = np.gradient(height_field * np.float32(relief))
    norm = 1.0 / np.sqrt(gx * gx + gy * gy + 1.0)
    lx, ly, lz = (float(c) for c in light)
    n_dot_l = (gx * -lx - gy * ly + lz) * norm
    diffuse = np.clip(n_dot_l, 0.0, None) * (0.62 / lz) + 0.38
    half = light + np.array([0.0, 0.0, 1.0], np.float32)
    hx, hy, hz = (float(c) for c in half / np.linalg.norm(half))
    n_dot_h = np.clip((gx * -hx - gy * hy + hz) * norm, 0.0, 1.0)
    # The highlight sits where the surface turns towards the light more than a flat face does
    # (the lit shoulder of a bag, the toe of a shoe), with a faint sheen over the rest.
    towards = np.clip((n_dot_h - hz) * (1.0 / (1.0 - hz)), 0.0, 1.0)
    highlight = towards * towards * (3 - 2 * towards)
    sheen = n_dot_h * n_dot_h
    sheen *= sheen
    sheen *= sheen
    sheen *= sheen  # n_dot_h ** 16
    return diffuse.astype(np.float32), (gloss * (0.85 * highlight + 0.1 * sheen)).astype(np.float32)


def upsample(field: np.ndarray, factor: int) -> np.ndarray:
    """(h, w) -> (factor h, factor w) bilinear with pixel centres aligned (as PIL's BILINEAR resize
    gives at a whole factor); the edges repeat.

    Output column factor * i + k samples input column i + (k + 1/2) / factor - 1/2, a blend of
    column i and its neighbour; columns first (into interleaved slots), then rows (whole rows at once).
    """
    h, w = field.shape
    padded = np.pad(field.astype(np.float32, copy=False), 1, mode="edge")
    offsets = [(k + 0.5) / factor - 0.5 for k in range(factor)]
    columns = np.empty((h + 2, w, factor), np.float32)
    for k, t in enumerate(offsets):
        side = padded[:, :-2] if t < 0 else padded[:, 2:]
        np.add(padded[:, 1:-1] * np.float32(1 - abs(t)), side * np.float32(abs(t)), out=columns[:, :, k])
    columns = columns.reshape(h + 2, w * factor)
    out = np.empty((h, factor, w * factor), np.float32)
    for j, t in enumerate(offsets):
        side = columns[:-2] if t < 0 else columns[2:]
        np.add(columns[1:-1] * np.float32(1 - abs(t)), side * np.float32(abs(t)), out=out[:, j])
    return out.reshape(h * factor, w * factor)
