"""2-D drawing geometry in unit item-box coordinates (x right, y down): curves, ribbons, simple shapes.

Plain lists of (x, y) tuples, so a silhouette reads as a few named constructions and the renderer
needs nothing but PIL to draw them.
"""

from __future__ import annotations

import math
from itertools import pairwise

Point = tuple[float, float]
Polygon = list[Point]


def ellipse(
    cx: float, cy: float, rx: float, ry: float, start: float = 0.0, end: float = 360.0, steps: int = 28
) -> Polygon:
    """Points on an ellipse from angle `start` to `end` (degrees, 0 = right, 90 = down)."""
    return [
        (
            cx + rx * math.cos(math.radians(start + (end - start) * i / steps)),
            cy + ry * math.sin(math.radians(start + (end - start) * i / steps)),
        )
        for i in range(steps + 1)
    ]


def rrect(x0: float, y0: float, x1: float, y1: float, r: float = 0.0) -> Polygon:
    """A rectangle, its corners rounded with radius `r`."""
    if r <= 0:
        return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    points: Polygon = []
    for cx, cy, a0 in (
        (x1 - r, y0 + r, 270),
        (x1 - r, y1 - r, 0),
        (x0 + r, y1 - r, 90),
        (x0 + r, y0 + r, 180),
    ):
        points.extend(ellipse(cx, cy, r, r, a0, a0 + 90, steps=6))
    return points


def bezier(*control: Point, steps: int = 16) -> list[Point]:
    """A Bezier curve through its end points, pulled by the control points between them."""
    out = []
    n = len(control) - 1
    for i in range(steps + 1):
        t = i / steps
        x = y = 0.0
        for k, (px, py) in enumerate(control):
            weight = math.comb(n, k) * t**k * (1 - t) ** (n - k)
            x += weight * px
            y += weight * py
        out.append((x, y))
    return out


def offset(line: list[Point], distance: float) -> list[Point]:
    """The polyline moved sideways by `distance` (positive: to the left of the direction of travel)."""
    out = []
    for i, (x, y) in enumerate(line):
        ax, ay = line[max(0, i - 1)]
        bx, by = line[min(len(line) - 1, i + 1)]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy) or 1.0
        out.append((x + dy / length * distance, y - dx / length * distance))
    return out


def ribbon(line: list[Point], width: float, end_width: float | None = None) -> Polygon:
    """A band of `width` along a polyline (tapering to `end_width`): straps, belts, laces, scarves."""
    end = width if end_width is None else end_width
    n = max(1, len(line) - 1)
    left, right = offset(line, 0.5), offset(line, -0.5)  # unit offsets, scaled per point below
    band_left, band_right = [], []
    for i, ((x, y), (lx, ly), (rx, ry)) in enumerate(zip(line, left, right, strict=True)):
        w = width + (end - width) * i / n
        band_left.append((x + (lx - x) * w, y + (ly - y) * w))
        band_right.append((x + (rx - x) * w, y + (ry - y) * w))
    return band_left + band_right[::-1]


def mirror(points: list[Point]) -> list[Point]:
    """The left-right mirror image about x = 0.5."""
    return [(1.0 - x, y) for x, y in points]


def shift(points: list[Point], dx: float, dy: float) -> list[Point]:
    return [(x + dx, y + dy) for x, y in points]


def scale(points: list[Point], sx: float, sy: float, cx: float = 0.5, cy: float = 0.5) -> list[Point]:
    return [(cx + (x - cx) * sx, cy + (y - cy) * sy) for x, y in points]


def rotate(points: list[Point], degrees: float, cx: float = 0.5, cy: float = 0.5) -> list[Point]:
    cos, sin = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return [(cx + (x - cx) * cos - (y - cy) * sin, cy + (x - cx) * sin + (y - cy) * cos) for x, y in points]


def along(line: list[Point], count: int, start: float = 0.0, end: float = 1.0) -> list[Point]:
    """`count` points evenly spaced by length along a polyline, from fraction `start` to `end`."""
    lengths = [0.0]
    for (ax, ay), (bx, by) in pairwise(line):
        lengths.append(lengths[-1] + math.hypot(bx - ax, by - ay))
    total = lengths[-1] or 1.0
    out = []
    for k in range(count):
        target = total * (start + (end - start) * (k / max(1, count - 1)))
        i = next((j for j in range(1, len(lengths)) if lengths[j] >= target), len(lengths) - 1)
        span = (lengths[i] - lengths[i - 1]) or 1.0
        t = (target - lengths[i - 1]) / span
        (ax, ay), (bx, by) = line[i - 1], line[i]
        out.append((ax + (bx - ax) * t, ay + (by - ay) * t))
    return out
