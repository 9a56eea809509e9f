"""Where a leaf's drawing lands in a photo: every point of its shape placed in one numpy step.

`geometry_of(leaf, kids)` gathers the points of a shape (parts, strokes, holes, seams, stitches,
dots, anchors, logo) into one array once per leaf; per photo, `place` scales, rotates and moves
them all at once, `item_region` bounds the part of the photo the item can touch, and `Placed`
hands PIL the flat coordinate lists at full, double and half size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from productlens.generate.silhouettes import Point, shape_for


@dataclass(frozen=True)
class Geometry:
    """Every point of a leaf's shape in one array (unit box coordinates), and where each element lies.

    A span (start, end) indexes rows of `points`; parts and strokes come first (they make the outline).
    """

    points: np.ndarray  # (n, 2) float64
    parts: tuple[tuple[int, int], ...]
    strokes: tuple[tuple[int, int], ...]
    holes: tuple[tuple[int, int], ...]
    seams: tuple[tuple[int, int], ...]
    stitches: tuple[tuple[int, int], ...]
    dots: int  # first row of the dot centres (one row per dot)
    anchors: int  # first row of the anchors
    logo: int  # the row of the logo's centre
    outline_end: int  # rows [0, outline_end) bound the item


@lru_cache(maxsize=64)
def geometry_of(leaf: str, kids: bool) -> Geometry:
    shape = shape_for(leaf, kids=kids)
    rows: list[Point] = []

    def span(points: list[Point]) -> tuple[int, int]:
        start = len(rows)
        rows.extend(points)
        return start, len(rows)

    parts = tuple(span(part.polygon) for part in shape.parts)
    strokes = tuple(span(line) for line, _, _ in shape.strokes)
    outline_end = len(rows)
    holes = tuple(span(hole) for hole in shape.holes)
    seams = tuple(span(line) for line, _ in shape.seams)
    stitches = tuple(span(line) for line in shape.stitches)
    dots = span([centre for centre, _, _ in shape.dots])[0]
    anchors = span(shape.anchors)[0]
    logo = span([shape.logo])[0]
    points = np.array(rows, np.float64)
    return Geometry(points, parts, strokes, holes, seams, stitches, dots, anchors, logo, outline_end)


class Placed:
    """A shape's points in the pixels of the item's region: flat [x0, y0, x1, y1, ...] lists for PIL.

    `full(span)` at the photo's size, `double(span)` for the outline drawn at twice the size and
    `half(span)` for the half-size surface; `point(row)` and `half_point(row)` give single points.
    """

    def __init__(self, pixels: np.ndarray) -> None:
        self._full = pixels.ravel().tolist()
        self._double = (pixels * 2).ravel().tolist()
        self._half = (pixels * 0.5).ravel().tolist()

    def full(self, span: tuple[int, int]) -> list[float]:
        return self._full[2 * span[0] : 2 * span[1]]

    def double(self, span: tuple[int, int]) -> list[float]:
        return self._double[2 * span[0] : 2 * span[1]]

    def half(self, span: tuple[int, int]) -> list[float]:
        return self._half[2 * span[0] : 2 * span[1]]

    def point(self, row: int) -> tuple[float, float]:
        return self._full[2 * row], self._full[2 * row + 1]

    def half_point(self, row: int) -> tuple[float, float]:
        return self._half[2 * row], self._half[2 * row + 1]


def place(points: np.ndarray, cx: float, cy: float, box: float, angle: float) -> np.ndarray:
    """Unit item-box coordinates -> photo pixels (scale, rotation about the box centre, translation)."""
    cos, sin = math.cos(angle), math.sin(angle)
    u, v = (points[:, 0] - 0.5) * box, (points[:, 1] - 0.5) * box
    return np.stack((cx + u * cos - v * sin, cy + u * sin + v * cos), axis=1)


Region = tuple[int, int, int, int]  # x0, y0, x1, y1 in photo pixels; x0 and y0 even


def item_region(pixels: np.ndarray, margin: float, width: int, height: int) -> Region | None:
    """The part of the photo the item can touch (its outline points plus `margin`), None when off the photo."""
    low, high = pixels.min(axis=0), pixels.max(axis=0)
    x0 = max(0, math.floor(low[0] - margin)) // 2 * 2
    y0 = max(0, math.floor(low[1] - margin)) // 2 * 2
    x1, y1 = min(width, math.ceil(high[0] + margin)), min(height, math.ceil(high[1] + margin))
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None
