"""One drawn silhouette per category3 leaf, in unit coordinates (x right, y down, the item box is [0,1]^2).

Shapes are bold and fill most of their box so a leaf stays recognisable after downsampling a
photo to 64 px. A `Shape` lists filled body polygons, holes, thick strokes that belong to the body
(handles, straps), accents painted over the fill (soles, lenses, flaps, ribbing), seam lines,
hardware anchors (buttons, buckles, rivets) and where a logo patch goes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

Point = tuple[float, float]
Polygon = list[Point]
AccentRole = Literal["dark", "light", "sole", "lens", "metal"]


@dataclass
class Shape:
    body: list[Polygon]
    holes: list[Polygon] = field(default_factory=list)
    strokes: list[tuple[list[Point], float]] = field(default_factory=list)  # (polyline, width) in the body
    accents: list[tuple[AccentRole, Polygon]] = field(default_factory=list)
    seams: list[tuple[list[Point], float]] = field(default_factory=list)
    anchors: list[Point] = field(default_factory=list)
    logo: Point = (0.5, 0.5)
    always_show_anchors: bool = False  # buttons are drawn even without metal hardware


def ellipse(cx: float, cy: float, rx: float, ry: float, start: float = 0.0, end: float = 360.0) -> Polygon:
    steps = 28
    return [
        (
            cx + rx * math.cos(math.radians(start + (end - start) * i / steps)),
            cy + ry * math.sin(math.radians(start + (end - start) * i / steps)),
        )
        for i in range(steps + 1)
    ]


def rrect(x0: float, y0: float, x1: float, y1: float, r: float = 0.0) -> Polygon:
    if r <= 0:
        return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    points: Polygon = []
    for cx, cy, a0 in (
        (x1 - r, y0 + r, 270),
        (x1 - r, y1 - r, 0),
        (x0 + r, y1 - r, 90),
        (x0 + r, y0 + r, 180),
    ):
        points.extend(ellipse(cx, cy, r, r, a0, a0 + 90)[::4])
    return points


def mirror(poly: Polygon) -> Polygon:
    return [(1.0 - x, y) for x, y in poly]


def _tote() -> Shape:
    return Shape(
        body=[[(0.12, 0.36), (0.88, 0.36), (0.96, 0.95), (0.04, 0.95)]],
        strokes=[(ellipse(0.5, 0.38, 0.22, 0.3, 180, 360), 0.055)],
        accents=[("dark", rrect(0.12, 0.36, 0.88, 0.43))],
        seams=[([(0.08, 0.9), (0.92, 0.9)], 0.012)],
        anchors=[(0.28, 0.42), (0.72, 0.42)],
        logo=(0.5, 0.66),
    )


def _crossbody() -> Shape:
    return Shape(
        body=[rrect(0.2, 0.5, 0.8, 0.9, 0.08)],
        strokes=[([(0.24, 0.54), (0.5, 0.04), (0.76, 0.54)], 0.03)],
        accents=[("dark", [(0.2, 0.5), (0.8, 0.5), (0.8, 0.66), (0.5, 0.76), (0.2, 0.66)])],
        anchors=[(0.5, 0.74)],
        logo=(0.5, 0.83),
    )


def _backpack() -> Shape:
    return Shape(
        body=[rrect(0.2, 0.16, 0.8, 0.96, 0.16)],
        strokes=[([(0.4, 0.2), (0.42, 0.06), (0.58, 0.06), (0.6, 0.2)], 0.035)],
        accents=[("dark", rrect(0.3, 0.58, 0.7, 0.9, 0.07))],
        seams=[([(0.22, 0.5), (0.78, 0.5)], 0.015)],
        anchors=[(0.5, 0.58)],
        logo=(0.5, 0.36),
    )


def _clutch() -> Shape:
    return Shape(
        body=[rrect(0.04, 0.36, 0.96, 0.72, 0.03)],
        accents=[("dark", [(0.04, 0.36), (0.96, 0.36), (0.5, 0.6)])],
        anchors=[(0.5, 0.58)],
        logo=(0.5, 0.66),
    )


def _trench() -> Shape:
    sleeve = [(0.22, 0.1), (0.07, 0.2), (0.03, 0.72), (0.15, 0.74), (0.21, 0.32)]
    return Shape(
        body=[
            [(0.34, 0.03), (0.66, 0.03), (0.8, 0.1), (0.86, 0.97), (0.14, 0.97), (0.2, 0.1)],
            sleeve,
            mirror(sleeve),
        ],
        accents=[("dark", rrect(0.18, 0.44, 0.82, 0.5)), ("dark", [(0.38, 0.03), (0.5, 0.3), (0.62, 0.03)])],
        seams=[([(0.5, 0.3), (0.5, 0.97)], 0.012)],
        anchors=[(0.42, 0.33), (0.58, 0.33), (0.42, 0.4), (0.58, 0.4), (0.42, 0.58), (0.58, 0.58)],
        logo=(0.66, 0.75),
        always_show_anchors=True,
    )


def _puffer() -> Shape:
    sleeve = [(0.2, 0.18), (0.05, 0.28), (0.02, 0.76), (0.15, 0.78), (0.2, 0.4)]
    quilting = [([(0.02, y), (0.98, y)], 0.02) for y in (0.3, 0.42, 0.54, 0.66)]
    return Shape(
        body=[rrect(0.18, 0.12, 0.82, 0.8, 0.06), sleeve, mirror(sleeve)],
        accents=[("dark", rrect(0.34, 0.04, 0.66, 0.17, 0.04))],
        seams=[*quilting, ([(0.5, 0.16), (0.5, 0.8)], 0.015)],
        anchors=[(0.5, 0.2)],
        logo=(0.68, 0.24),
    )


def _cashmere_scarf() -> Shape:
    fringe = [([(x / 100, 0.88), (x / 100, 0.98)], 0.014) for x in range(24, 72, 4)]
    return Shape(
        body=[rrect(0.22, 0.02, 0.48, 0.9), rrect(0.52, 0.02, 0.78, 0.9), rrect(0.2, 0.02, 0.8, 0.16, 0.05)],
        strokes=fringe,
        seams=[([(0.5, 0.16), (0.5, 0.9)], 0.02)],
        logo=(0.35, 0.76),
    )


def _silk_scarf() -> Shape:
    return Shape(
        body=[[(0.5, 0.02), (0.98, 0.5), (0.5, 0.98), (0.02, 0.5)]],
        accents=[("light", ellipse(0.5, 0.5, 0.14, 0.14))],
        seams=[([(0.5, 0.12), (0.88, 0.5), (0.5, 0.88), (0.12, 0.5), (0.5, 0.12)], 0.02)],
        logo=(0.5, 0.72),
    )


def _sneakers() -> Shape:
    return Shape(
        body=[
            [
                (0.06, 0.56),
                (0.3, 0.5),
                (0.44, 0.32),
                (0.62, 0.3),
                (0.68, 0.44),
                (0.92, 0.54),
                (0.96, 0.7),
                (0.04, 0.7),
            ]
        ],
        accents=[("sole", rrect(0.02, 0.66, 0.98, 0.8, 0.04))],
        seams=[
            ([(0.46 + 0.04 * i, 0.36 + 0.04 * i), (0.54 + 0.04 * i, 0.34 + 0.04 * i)], 0.02) for i in range(4)
        ],
        anchors=[(0.45, 0.44), (0.53, 0.5)],
        logo=(0.78, 0.6),
    )


def _boots() -> Shape:
    return Shape(
        body=[
            [(0.28, 0.06), (0.62, 0.06), (0.62, 0.56), (0.9, 0.68), (0.92, 0.86), (0.24, 0.86), (0.27, 0.5)]
        ],
        accents=[("dark", rrect(0.24, 0.84, 0.42, 0.97)), ("dark", rrect(0.42, 0.84, 0.92, 0.89))],
        seams=[([(0.28, 0.14), (0.62, 0.14)], 0.02)],
        anchors=[(0.62, 0.42)],
        logo=(0.44, 0.3),
    )


def _loafers() -> Shape:
    return Shape(
        body=[[(0.04, 0.54), (0.2, 0.36), (0.56, 0.36), (0.9, 0.48), (0.96, 0.66), (0.04, 0.66)]],
        accents=[
            ("dark", rrect(0.03, 0.64, 0.97, 0.72)),
            ("dark", rrect(0.06, 0.64, 0.22, 0.8)),
            ("dark", [(0.52, 0.38), (0.74, 0.43), (0.71, 0.54), (0.5, 0.5)]),
        ],
        anchors=[(0.62, 0.47)],
        logo=(0.3, 0.52),
    )


def _wallet() -> Shape:
    slots = [("dark", rrect(0.24, y, 0.76, y + 0.045)) for y in (0.34, 0.45, 0.56)]
    return Shape(
        body=[rrect(0.16, 0.24, 0.84, 0.76, 0.05)],
        accents=slots,
        seams=[([(0.5, 0.24), (0.5, 0.76)], 0.015)],
        anchors=[(0.8, 0.5)],
        logo=(0.5, 0.68),
    )


def _belt() -> Shape:
    return Shape(
        body=[ellipse(0.5, 0.55, 0.44, 0.4)],
        holes=[ellipse(0.5, 0.55, 0.3, 0.26)],
        accents=[("metal", rrect(0.38, 0.08, 0.62, 0.26, 0.03))],
        seams=[([(x, 0.86), (x, 0.9)], 0.02) for x in (0.42, 0.5, 0.58)],
        anchors=[(0.5, 0.17)],
        logo=(0.5, 0.9),
    )


def _sunglasses() -> Shape:
    return Shape(
        body=[rrect(0.04, 0.32, 0.47, 0.7, 0.12), rrect(0.53, 0.32, 0.96, 0.7, 0.12)],
        strokes=[([(0.44, 0.4), (0.5, 0.37), (0.56, 0.4)], 0.05), ([(0.04, 0.38), (0.0, 0.36)], 0.04)],
        accents=[
            ("lens", rrect(0.09, 0.37, 0.42, 0.65, 0.09)),
            ("lens", rrect(0.58, 0.37, 0.91, 0.65, 0.09)),
        ],
        anchors=[(0.07, 0.36), (0.93, 0.36)],
        logo=(0.25, 0.68),
    )


def _cap() -> Shape:
    return Shape(
        body=[
            ellipse(0.42, 0.66, 0.34, 0.42, 180, 360),
            [(0.5, 0.58), (0.98, 0.64), (0.95, 0.74), (0.5, 0.7)],
        ],
        accents=[("dark", ellipse(0.42, 0.25, 0.05, 0.03)), ("dark", rrect(0.08, 0.62, 0.76, 0.68))],
        seams=[([(0.42, 0.25), (0.3, 0.62)], 0.015), ([(0.42, 0.25), (0.56, 0.62)], 0.015)],
        logo=(0.4, 0.48),
    )


def _bucket_hat() -> Shape:
    return Shape(
        body=[
            [*ellipse(0.5, 0.34, 0.22, 0.12, 180, 360), (0.76, 0.62), (0.24, 0.62)],
            [(0.24, 0.58), (0.76, 0.58), (0.98, 0.8), (0.02, 0.8)],
        ],
        accents=[("dark", rrect(0.25, 0.52, 0.75, 0.6))],
        seams=[([(0.1, 0.74), (0.9, 0.74)], 0.012)],
        logo=(0.5, 0.42),
    )


def _sweater() -> Shape:
    # Laid flat with the sleeves spread out: unlike the hoodie, whose sleeves hang down.
    sleeve = [(0.26, 0.14), (0.02, 0.5), (0.1, 0.6), (0.26, 0.42)]
    cuff = [(0.02, 0.5), (0.06, 0.46), (0.14, 0.56), (0.1, 0.6)]
    return Shape(
        body=[rrect(0.25, 0.12, 0.75, 0.9, 0.04), sleeve, mirror(sleeve)],
        accents=[
            ("dark", rrect(0.25, 0.83, 0.75, 0.9)),
            ("dark", ellipse(0.5, 0.13, 0.1, 0.05)),
            ("dark", cuff),
            ("dark", mirror(cuff)),
        ],
        logo=(0.5, 0.4),
    )


def _vest() -> Shape:
    return Shape(
        body=[
            [
                (0.28, 0.06),
                (0.4, 0.06),
                (0.5, 0.36),
                (0.6, 0.06),
                (0.72, 0.06),
                (0.8, 0.28),
                (0.8, 0.94),
                (0.2, 0.94),
                (0.2, 0.28),
            ]
        ],
        accents=[("dark", rrect(0.2, 0.86, 0.8, 0.94))],
        seams=[([(0.4, 0.06), (0.5, 0.42), (0.6, 0.06)], 0.03)],
        anchors=[(0.5, 0.52), (0.5, 0.64), (0.5, 0.76)],
        logo=(0.66, 0.4),
    )


def _tshirt() -> Shape:
    return Shape(
        body=[
            [
                (0.28, 0.1),
                (0.42, 0.08),
                (0.5, 0.13),
                (0.58, 0.08),
                (0.72, 0.1),
                (0.97, 0.28),
                (0.86, 0.44),
                (0.74, 0.36),
                (0.74, 0.94),
                (0.26, 0.94),
                (0.26, 0.36),
                (0.14, 0.44),
                (0.03, 0.28),
            ]
        ],
        seams=[(ellipse(0.5, 0.09, 0.08, 0.05, 0, 180), 0.025)],
        logo=(0.5, 0.4),
    )


def _hoodie() -> Shape:
    sleeve = [(0.25, 0.22), (0.1, 0.3), (0.02, 0.88), (0.13, 0.92), (0.25, 0.48)]
    return Shape(
        body=[rrect(0.24, 0.2, 0.76, 0.95, 0.04), ellipse(0.5, 0.16, 0.17, 0.15), sleeve, mirror(sleeve)],
        accents=[
            ("dark", [(0.34, 0.62), (0.66, 0.62), (0.7, 0.8), (0.3, 0.8)]),
            ("dark", ellipse(0.5, 0.2, 0.1, 0.08)),
        ],
        strokes=[([(0.45, 0.26), (0.44, 0.42)], 0.015), ([(0.55, 0.26), (0.56, 0.42)], 0.015)],
        logo=(0.5, 0.48),
    )


def _trousers() -> Shape:
    return Shape(
        body=[
            [(0.24, 0.04), (0.76, 0.04), (0.82, 0.97), (0.56, 0.97), (0.5, 0.34), (0.44, 0.97), (0.18, 0.97)]
        ],
        accents=[("dark", rrect(0.24, 0.04, 0.76, 0.1))],
        seams=[([(0.5, 0.1), (0.5, 0.3)], 0.015)],
        anchors=[(0.5, 0.07)],
        logo=(0.34, 0.2),
        always_show_anchors=True,
    )


def _shorts() -> Shape:
    return Shape(
        body=[[(0.16, 0.2), (0.84, 0.2), (0.94, 0.78), (0.56, 0.8), (0.5, 0.48), (0.44, 0.8), (0.06, 0.78)]],
        accents=[("dark", rrect(0.16, 0.2, 0.84, 0.28))],
        seams=[([(0.5, 0.28), (0.5, 0.46)], 0.015)],
        anchors=[(0.5, 0.24)],
        logo=(0.3, 0.4),
        always_show_anchors=True,
    )


def _dress() -> Shape:
    return Shape(
        body=[
            [(0.35, 0.16), (0.65, 0.16), (0.6, 0.42), (0.4, 0.42)],
            [(0.4, 0.42), (0.6, 0.42), (0.92, 0.97), (0.08, 0.97)],
        ],
        strokes=[([(0.38, 0.17), (0.4, 0.03)], 0.03), ([(0.62, 0.17), (0.6, 0.03)], 0.03)],
        accents=[("dark", rrect(0.38, 0.39, 0.62, 0.45))],
        anchors=[(0.5, 0.23), (0.5, 0.32)],
        logo=(0.5, 0.7),
    )


def _skirt() -> Shape:
    return Shape(
        body=[[(0.3, 0.16), (0.7, 0.16), (0.9, 0.86), (0.1, 0.86)]],
        accents=[("dark", rrect(0.3, 0.16, 0.7, 0.24))],
        seams=[([(x, 0.26), (x + (x - 0.5) * 0.5, 0.86)], 0.012) for x in (0.38, 0.46, 0.54, 0.62)],
        anchors=[(0.62, 0.2)],
        logo=(0.5, 0.6),
    )


SHAPES = {
    "TOTE BAGS": _tote,
    "CROSSBODY BAGS": _crossbody,
    "BACKPACKS": _backpack,
    "CLUTCHES": _clutch,
    "TRENCH COATS": _trench,
    "PUFFER JACKETS": _puffer,
    "CASHMERE SCARVES": _cashmere_scarf,
    "SILK SCARVES": _silk_scarf,
    "SNEAKERS": _sneakers,
    "BOOTS": _boots,
    "LOAFERS": _loafers,
    "WALLETS & CARD CASES": _wallet,
    "BELTS": _belt,
    "SUNGLASSES": _sunglasses,
    "CAPS": _cap,
    "BUCKET HATS": _bucket_hat,
    "SWEATERS": _sweater,
    "KNITTED VESTS": _vest,
    "T-SHIRTS": _tshirt,
    "HOODIES": _hoodie,
    "TROUSERS": _trousers,
    "SHORTS": _shorts,
    "DRESSES": _dress,
    "SKIRTS": _skirt,
}


def shape_for(category3: str) -> Shape:
    """The silhouette of a leaf; KeyError names the leaf when it has none."""
    try:
        return SHAPES[category3]()
    except KeyError:
        raise KeyError(f"no silhouette for category3 {category3!r}") from None
