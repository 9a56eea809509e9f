"""One drawn construction per category3 leaf, in unit coordinates (x right, y down, the item box is [0,1]^2).

Each leaf is drawn with the parts and the viewpoint that name it in a catalogue: shoes as a pair in
side or three-quarter view with sole, tread, heel, laces and eyelets; a loafer from above so its
opening shows; a belt laid in a loose curve with buckle, prong and holes; an open wallet with card
slots and card edges; coats on a ghost mannequin with lapels, buttons and belt; a dress on a hanger;
knitwear and T-shirts as a flat lay. A `Shape` is a list of `Part`s in drawing order (each with a
role that fixes its colour and finish, and a lift that the renderer turns into overlap shading),
plus thin strokes drawn on top (laces, zips, temples), seams, topstitching, small round details
(eyelets, holes, rivets), hardware anchors and where a logo patch goes. `shape_for(leaf, kids=True)`
gives children's proportions (shorter, rounder, wider), not just a smaller drawing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal

from productlens.generate.geometry import (
    Point,
    Polygon,
    along,
    bezier,
    ellipse,
    mirror,
    offset,
    ribbon,
    rotate,
    rrect,
    scale,
    shift,
)

Role = Literal[
    "body",  # the item's colour, pattern and material
    "trim",  # same material, a shade darker (gussets, overlays, a shoe's heel counter)
    "rib",  # knitted rib (cuffs, hems, collars): same colour, ribbed
    "inside",  # the dark inside of an opening
    "lining",  # a pale lining or insole
    "sole",  # off-white rubber
    "tread",  # dark rubber
    "heel",  # dark leather heel and sole
    "metal",  # hardware: gold or silver when the title says so, else gunmetal
    "eyelet",  # metal eyelets with gold or silver hardware, else plain punched holes
    "lens",  # sunglass lenses
    "glint",  # a reflection on a lens
    "card",  # cards in a wallet: blue, white and black (never the colour of hardware)
    "card_white",
    "card_black",
    "lace",  # laces and drawstrings
    "hanger",  # a wooden hanger
    "light",  # a lighter shade of the item colour (a scarf's border)
]


@dataclass
class Part:
    role: Role
    polygon: Polygon
    lift: float = 0.0  # height step above what lies under it: the renderer shades the overlap
    tone: float = 1.0  # brightness of the part's colour (the far shoe of a pair is darker)


@dataclass
class Shape:
    parts: list[Part]
    holes: list[Polygon] = field(default_factory=list)
    strokes: list[tuple[list[Point], float, Role]] = field(default_factory=list)  # (polyline, width, role)
    seams: list[tuple[list[Point], float]] = field(default_factory=list)  # sewn grooves and folds
    stitches: list[list[Point]] = field(default_factory=list)  # dashed topstitching
    dots: list[tuple[Point, float, Role]] = field(default_factory=list)  # eyelets, holes, rivets
    anchors: list[Point] = field(default_factory=list)  # buttons, clasps, buckles: metal when named
    anchor_radius: float = 0.035
    logo: Point = (0.5, 0.5)
    always_show_anchors: bool = False  # buttons are drawn even without metal hardware
    stripe_angle: float = 0.0  # degrees: 0 = horizontal stripes, 90 = vertical (trousers)
    folds: float = 0.0  # soft cloth folds in the height field, 0 = none
    standing: bool = False  # stands on the floor: a contact shadow under its base
    knit: bool = False  # knitwear: the material is drawn as a knit


def map_shape(shape: Shape, f: Callable[[list[Point]], list[Point]], tone: float = 1.0) -> Shape:
    """The shape with every point mapped by `f` (a list -> list function) and every part's tone scaled."""
    return replace(
        shape,
        parts=[Part(p.role, f(p.polygon), p.lift, p.tone * tone) for p in shape.parts],
        holes=[f(h) for h in shape.holes],
        strokes=[(f(line), w, role) for line, w, role in shape.strokes],
        seams=[(f(line), w) for line, w in shape.seams],
        stitches=[f(line) for line in shape.stitches],
        dots=[(f([c])[0], r, role) for c, r, role in shape.dots],
        anchors=f(shape.anchors) if shape.anchors else [],
        logo=f([shape.logo])[0],
    )


def pair(
    single: Shape, back: Callable[[list[Point]], list[Point]], front: Callable[[list[Point]], list[Point]]
) -> Shape:
    """Two of an item (shoes): the back one drawn first and darker, the front one over it."""
    far, near = map_shape(single, back, tone=0.8), map_shape(single, front)
    return replace(
        near,
        parts=far.parts
        + [
            Part(p.role, p.polygon, p.lift + 0.6 if i == 0 else p.lift, p.tone)
            for i, p in enumerate(near.parts)
        ],
        strokes=far.strokes + near.strokes,
        seams=far.seams + near.seams,
        stitches=far.stitches + near.stitches,
        dots=far.dots + near.dots,
        anchors=far.anchors + near.anchors,
    )


def _f(sx: float, sy: float, dx: float, dy: float) -> Callable[[list[Point]], list[Point]]:
    return lambda pts: shift(scale(pts, sx, sy, 0.0, 0.0), dx, dy)


# ----------------------------------------------------------------------------------------- bags


def _tote() -> Shape:
    front = [(0.12, 0.40), (0.78, 0.40), (0.82, 0.95), (0.08, 0.95)]
    gusset = [(0.78, 0.40), (0.90, 0.36), (0.93, 0.89), (0.82, 0.95)]
    opening = [(0.12, 0.40), (0.24, 0.36), (0.90, 0.36), (0.78, 0.40)]
    back_handle = ribbon(bezier((0.36, 0.37), (0.40, 0.02), (0.72, 0.02), (0.76, 0.37)), 0.045)
    front_handle = ribbon(bezier((0.24, 0.42), (0.28, 0.06), (0.62, 0.06), (0.66, 0.42)), 0.05)
    tabs = [rrect(x - 0.04, 0.40, x + 0.04, 0.50, 0.01) for x in (0.24, 0.66)]
    return Shape(
        parts=[
            Part("trim", back_handle),
            Part("body", front),
            Part("trim", gusset),
            Part("inside", opening),
            Part("body", front_handle, lift=1.0),
            *[Part("trim", t, lift=1.2) for t in tabs],
        ],
        stitches=[[(0.13, 0.44), (0.77, 0.44)], [(0.09, 0.91), (0.81, 0.91)], [(0.79, 0.41), (0.83, 0.94)]],
        seams=[([(0.10, 0.93), (0.81, 0.93)], 0.01)],
        anchors=[(0.24, 0.46), (0.66, 0.46)],
        anchor_radius=0.022,
        logo=(0.45, 0.68),
        standing=True,
        folds=0.3,
    )


def _crossbody() -> Shape:
    body = rrect(0.24, 0.56, 0.76, 0.92, 0.07)
    flap = [
        (0.24, 0.58),
        (0.76, 0.58),
        (0.76, 0.7),
        *bezier((0.76, 0.7), (0.64, 0.82), (0.36, 0.82), (0.24, 0.7)),
    ]
    strap = ribbon(ellipse(0.5, 0.6, 0.25, 0.57, 180, 360, steps=32), 0.02)  # the long shoulder strap
    return Shape(
        parts=[Part("trim", strap), Part("body", body), Part("body", flap, lift=1.0)],
        stitches=[offset(flap[2:], -0.022), [(0.26, 0.61), (0.74, 0.61)]],
        dots=[((0.25, 0.6), 0.018, "metal"), ((0.75, 0.6), 0.018, "metal")],
        anchors=[(0.5, 0.77)],
        anchor_radius=0.035,
        logo=(0.5, 0.87),
        standing=True,
    )


def _backpack() -> Shape:
    body = rrect(0.2, 0.16, 0.8, 0.95, 0.16)
    pocket = rrect(0.29, 0.56, 0.71, 0.92, 0.08)
    straps = [
        ribbon([(0.24, 0.2), (0.14, 0.55), (0.17, 0.9)], 0.07),
        ribbon([(0.76, 0.2), (0.86, 0.55), (0.83, 0.9)], 0.07),
    ]
    handle = ribbon(bezier((0.42, 0.18), (0.42, 0.04), (0.58, 0.04), (0.58, 0.18)), 0.035)
    zip_line = [(0.25, 0.5), *bezier((0.25, 0.5), (0.3, 0.2), (0.7, 0.2), (0.75, 0.5))[1:]]
    return Shape(
        parts=[
            *[Part("trim", s) for s in straps],
            Part("trim", handle),
            Part("body", body),
            Part("body", pocket, lift=1.2),
        ],
        strokes=[(zip_line, 0.012, "metal"), ([(0.31, 0.6), (0.69, 0.6)], 0.01, "metal")],
        stitches=[offset(pocket, 0.02)[:-1], offset(body, 0.025)[:-1]],
        anchors=[(0.75, 0.5), (0.69, 0.6)],
        anchor_radius=0.022,
        logo=(0.5, 0.75),
        standing=True,
    )


def _clutch() -> Shape:
    # A frame clutch: a soft body under a metal frame with a kiss-lock clasp, and a wrist strap.
    body = [
        (0.05, 0.42),
        (0.95, 0.42),
        *bezier((0.95, 0.42), (0.95, 0.6), (0.92, 0.76), (0.8, 0.76)),
        *bezier((0.2, 0.76), (0.08, 0.76), (0.05, 0.6), (0.05, 0.42)),
    ]
    frame = ribbon(bezier((0.06, 0.42), (0.3, 0.34), (0.7, 0.34), (0.94, 0.42)), 0.035)
    wrist = ribbon(bezier((0.07, 0.44), (-0.06, 0.7), (0.02, 0.98), (0.2, 0.9)), 0.025)
    return Shape(
        parts=[Part("trim", wrist), Part("body", body), Part("metal", frame, lift=1.0)],
        seams=[(bezier((0.1, 0.58), (0.4, 0.62), (0.6, 0.62), (0.9, 0.58)), 0.006)],
        dots=[((0.47, 0.335), 0.022, "metal"), ((0.53, 0.335), 0.022, "metal")],
        anchors=[(0.5, 0.36)],
        anchor_radius=0.03,
        always_show_anchors=True,
        logo=(0.5, 0.66),
        standing=True,
        folds=0.4,
    )


# ------------------------------------------------------------------------------------ outerwear


def _trench() -> Shape:
    return map_shape(_trench_wide(), lambda pts: scale(pts, 0.78, 1.0))


def _trench_wide() -> Shape:
    # On a ghost mannequin: the inside of the back neck shows above wide lapels and a storm flap.
    coat = [(0.36, 0.05), (0.64, 0.05), (0.76, 0.1), (0.84, 0.97), (0.16, 0.97), (0.24, 0.1)]
    sleeve = [(0.24, 0.1), (0.12, 0.18), (0.07, 0.76), (0.18, 0.78), (0.24, 0.36)]
    neck = ellipse(0.5, 0.055, 0.12, 0.045, 0, 180)
    collar = [(0.36, 0.05), (0.5, 0.02), (0.64, 0.05), (0.6, 0.1), (0.4, 0.1)]
    lapel = [(0.38, 0.06), (0.28, 0.14), (0.33, 0.18), (0.3, 0.22), (0.5, 0.43), (0.5, 0.11)]
    flap = [(0.24, 0.11), (0.36, 0.09), (0.37, 0.22), (0.25, 0.28)]
    belt = [(0.185, 0.5), (0.815, 0.5), (0.82, 0.56), (0.18, 0.56)]
    tail = ribbon([(0.62, 0.53), (0.66, 0.68), (0.64, 0.76)], 0.05)
    cuff = ribbon([(0.075, 0.68), (0.18, 0.7)], 0.035)
    return Shape(
        parts=[
            Part("trim", sleeve),
            Part("trim", mirror(sleeve)),
            Part("body", coat),
            Part("inside", [*neck, (0.5, 0.16)]),
            Part("trim", collar, lift=0.6),
            Part("body", flap, lift=0.8),
            Part("trim", lapel, lift=1.0),
            Part("trim", mirror(lapel), lift=1.0),
            Part("trim", belt, lift=1.0),
            Part("trim", tail, lift=1.4),
            Part("trim", cuff, lift=0.6),
            Part("trim", mirror(cuff), lift=0.6),
            Part("metal", rrect(0.46, 0.495, 0.54, 0.565, 0.01), lift=1.6),
        ],
        holes=[rrect(0.48, 0.51, 0.52, 0.55)],
        seams=[
            ([(0.5, 0.43), (0.5, 0.97)], 0.008),
            ([(0.24, 0.36), (0.23, 0.97)], 0.006),
            ([(0.76, 0.36), (0.77, 0.97)], 0.006),
            (lapel[1:5], 0.008),
            (mirror(lapel[1:5]), 0.008),
            ([(0.24, 0.1), (0.24, 0.36)], 0.008),
            ([(0.76, 0.1), (0.76, 0.36)], 0.008),
        ],
        stitches=[
            [(0.17, 0.93), (0.83, 0.93)],
            [(0.31, 0.62), (0.36, 0.78)],
            [(0.69, 0.62), (0.64, 0.78)],
            offset(lapel[1:5], 0.015),
            offset(mirror(lapel[1:5]), -0.015),
        ],
        anchors=[
            (0.42, 0.33),
            (0.58, 0.33),
            (0.42, 0.42),
            (0.58, 0.42),
            (0.42, 0.64),
            (0.58, 0.64),
            (0.42, 0.74),
            (0.58, 0.74),
        ],
        anchor_radius=0.02,
        logo=(0.7, 0.86),
        always_show_anchors=True,
        folds=0.35,
    )


def _puffer() -> Shape:
    sleeve = [(0.2, 0.17), (0.06, 0.28), (0.03, 0.78), (0.16, 0.8), (0.2, 0.42)]
    parts = [Part("body", rrect(0.18, 0.12, 0.82, 0.84, 0.06))]
    channels = []
    for k, y in enumerate((0.14, 0.28, 0.42, 0.56, 0.70)):
        channels.append(Part("body", rrect(0.18, y, 0.82, y + 0.14, 0.05), lift=0.3 * (k % 2)))
    sleeves = [Part("trim", sleeve), Part("trim", mirror(sleeve))]
    collar = Part("body", rrect(0.33, 0.04, 0.67, 0.16, 0.05), lift=1.0)
    cuffs = [
        Part("rib", rrect(0.03, 0.74, 0.16, 0.8), lift=0.5),
        Part("rib", mirror(rrect(0.03, 0.74, 0.16, 0.8)), lift=0.5),
    ]
    quilting = [([(0.18, y), (0.82, y)], 0.03) for y in (0.28, 0.42, 0.56, 0.70)]
    quilting += [
        (line, 0.024)
        for y in (0.36, 0.5, 0.64)
        for line in ([(0.04, y), (0.2, y - 0.02)], mirror([(0.04, y), (0.2, y - 0.02)]))
    ]
    return Shape(
        parts=parts
        + sleeves
        + channels
        + [collar, *cuffs, Part("rib", rrect(0.18, 0.8, 0.82, 0.85), lift=0.4)],
        strokes=[([(0.5, 0.05), (0.5, 0.84)], 0.012, "metal")],
        seams=quilting,
        anchors=[(0.5, 0.07)],
        anchor_radius=0.025,
        logo=(0.66, 0.22),
    )


# -------------------------------------------------------------------------------------- scarves


def _cashmere_scarf() -> Shape:
    # Folded in half and hung: two layers with their fringed ends at different heights.
    back = rrect(0.24, 0.04, 0.64, 0.84, 0.04)
    front = rrect(0.36, 0.06, 0.76, 0.7, 0.04)
    fringe: list[tuple[list[Point], float, Role]] = []
    for x0, x1, y in ((0.25, 0.63, 0.84), (0.37, 0.75, 0.7)):
        count = 14
        for k in range(count):
            x = x0 + (x1 - x0) * k / (count - 1)
            fringe.append(([(x, y - 0.01), (x + 0.006 * ((k % 3) - 1), y + 0.12)], 0.011, "body"))
    return Shape(
        parts=[Part("body", back), Part("body", front, lift=1.0)],
        strokes=fringe,
        seams=[([(0.26, 0.81), (0.62, 0.81)], 0.006), ([(0.38, 0.67), (0.74, 0.67)], 0.006)],
        logo=(0.56, 0.6),
        folds=0.6,
    )


def _silk_scarf() -> Shape:
    square = [(0.5, 0.03), (0.97, 0.5), (0.5, 0.97), (0.03, 0.5)]
    corner = [(0.97, 0.5), (0.5, 0.97), (0.6, 0.6)]
    border = [scale(square, 0.82, 0.82), scale(square, 0.7, 0.7)]
    return Shape(
        parts=[
            Part("body", square),
            Part("light", border[0], lift=0.1),
            Part("body", border[1], lift=0.1),
            Part("light", ellipse(0.5, 0.5, 0.13, 0.13), lift=0.1),
            Part("body", ellipse(0.5, 0.5, 0.07, 0.07), lift=0.1),
            Part("light", corner, lift=1.0),
        ],
        seams=[([*square, square[0]], 0.008)],
        logo=(0.5, 0.26),
        folds=0.6,
    )


# ---------------------------------------------------------------------------------------- shoes


def _sneaker_single(kids: bool) -> Shape:
    upper = [
        (0.05, 0.66),
        *bezier((0.05, 0.66), (0.05, 0.52), (0.22, 0.5), (0.34, 0.45)),
        (0.52, 0.33),
        (0.56, 0.26),
        (0.61, 0.28),
        (0.66, 0.35),
        (0.8, 0.33),
        *bezier((0.8, 0.33), (0.92, 0.34), (0.95, 0.5), (0.94, 0.64)),
    ]
    sole = [(0.02, 0.63), (0.96, 0.61), (0.98, 0.7), (0.96, 0.77), (0.06, 0.78), (0.02, 0.73)]
    tread = [(0.05, 0.745), (0.965, 0.735), (0.96, 0.775), (0.06, 0.785)]
    toe = [(0.03, 0.64), *bezier((0.03, 0.64), (0.04, 0.55), (0.12, 0.54), (0.19, 0.58))[1:], (0.2, 0.64)]
    counter = [
        (0.74, 0.42),
        (0.84, 0.34),
        *bezier((0.84, 0.34), (0.93, 0.36), (0.95, 0.5), (0.945, 0.63))[1:],
        (0.72, 0.63),
    ]
    panel = [(0.33, 0.62), *bezier((0.33, 0.62), (0.45, 0.5), (0.58, 0.44), (0.73, 0.5))[1:], (0.7, 0.62)]
    opening = [(0.6, 0.3), (0.66, 0.35), (0.8, 0.335), (0.76, 0.38), (0.64, 0.39)]
    eyelet_line = along([(0.32, 0.47), (0.53, 0.35)], 5)
    low_line = along([(0.37, 0.52), (0.57, 0.4)], 5)
    parts = [
        Part("sole", sole),
        Part("tread", tread),
        Part("body", upper, lift=0.6),
        Part("trim", panel, lift=0.8),
        Part("trim", counter, lift=0.8),
        Part("inside", opening, lift=0.2),
        Part("sole", toe, lift=0.4),
    ]
    strokes: list[tuple[list[Point], float, Role]] = []
    dots: list[tuple[Point, float, Role]] = []
    if kids:  # a hook-and-loop strap instead of laces, as on children's trainers
        for a, b in ((0.3, 0.46), (0.45, 0.37)):
            parts.append(Part("trim", ribbon([(a, b + 0.02), (a + 0.14, b + 0.1)], 0.06), lift=1.2))
    else:
        for (ax, ay), (bx, by) in zip(eyelet_line, low_line[1:], strict=False):
            strokes.append(([(ax, ay), (bx, by)], 0.014, "lace"))
        for (ax, ay), (bx, by) in zip(low_line, eyelet_line[1:], strict=False):
            strokes.append(([(ax, ay), (bx, by)], 0.014, "lace"))
        strokes.append((bezier((0.53, 0.35), (0.5, 0.42), (0.46, 0.48), (0.48, 0.52)), 0.012, "lace"))
        dots = [(p, 0.012, "eyelet") for p in eyelet_line + low_line]
    return Shape(
        parts=parts,
        strokes=strokes,
        dots=dots,
        stitches=[offset(panel[1:], -0.02), offset(counter[1:-1], 0.02), [(0.06, 0.64), (0.95, 0.62)]],
        seams=[([(0.08 + 0.06 * k, 0.75), (0.1 + 0.06 * k, 0.78)], 0.008) for k in range(15)],
        anchors=[(0.58, 0.56)],
        anchor_radius=0.02,
        logo=(0.86, 0.48),
        standing=True,
    )


def _sneakers(kids: bool = False) -> Shape:
    return pair(_sneaker_single(kids), _f(0.88, 0.88, 0.1, -0.07), _f(0.88, 0.88, 0.0, 0.24))


def _boot_single() -> Shape:
    boot = [
        (0.05, 0.8),
        *bezier((0.05, 0.8), (0.04, 0.66), (0.2, 0.64), (0.36, 0.58)),
        (0.44, 0.46),
        (0.46, 0.1),
        (0.78, 0.08),
        (0.8, 0.4),
        *bezier((0.8, 0.4), (0.84, 0.52), (0.9, 0.6), (0.89, 0.8)),
    ]
    gore = [(0.46, 0.12), (0.62, 0.12), (0.53, 0.42)]
    tab = ribbon(bezier((0.74, 0.1), (0.72, 0.0), (0.82, 0.0), (0.8, 0.1)), 0.022)
    heel = [(0.66, 0.8), (0.89, 0.79), (0.88, 0.95), (0.69, 0.95)]
    sole = [(0.03, 0.78), (0.68, 0.79), (0.68, 0.85), (0.07, 0.85), (0.03, 0.82)]
    return Shape(
        parts=[
            Part("trim", tab),
            Part("body", boot),
            Part("trim", gore, lift=-0.3),
            Part("heel", sole, lift=0.5),
            Part("heel", heel, lift=0.5),
        ],
        seams=[
            ([(0.49 + 0.025 * k, 0.14), (0.5 + 0.012 * k, 0.38 - 0.02 * abs(k - 2))], 0.006) for k in range(5)
        ]
        + [([(0.7, 0.875), (0.88, 0.875)], 0.006), ([(0.69, 0.915), (0.88, 0.915)], 0.006)],
        stitches=[[(0.06, 0.77), (0.66, 0.77)], offset([(0.46, 0.12), (0.53, 0.42), (0.62, 0.12)], 0.02)],
        anchors=[(0.2, 0.7)],
        anchor_radius=0.02,
        logo=(0.66, 0.58),
        standing=True,
    )


def _boots(kids: bool = False) -> Shape:
    return pair(_boot_single(), _f(0.84, 0.84, 0.2, -0.01), _f(0.84, 0.84, 0.0, 0.15))


def _loafer_single() -> Shape:
    outline = [
        *bezier((0.04, 0.5), (0.04, 0.36), (0.36, 0.34), (0.62, 0.35)),
        *bezier((0.62, 0.35), (0.98, 0.36), (0.98, 0.64), (0.62, 0.65))[1:],
        *bezier((0.62, 0.65), (0.36, 0.66), (0.04, 0.64), (0.04, 0.5))[1:],
    ]
    opening = [
        *bezier((0.56, 0.5), (0.56, 0.4), (0.7, 0.39), (0.8, 0.4)),
        *bezier((0.8, 0.4), (0.93, 0.42), (0.93, 0.58), (0.8, 0.6))[1:],
        *bezier((0.8, 0.6), (0.7, 0.61), (0.56, 0.6), (0.56, 0.5))[1:],
    ]
    insole = ellipse(0.8, 0.5, 0.1, 0.07)
    apron = ellipse(0.3, 0.5, 0.2, 0.1, 270, 450, steps=14)
    saddle = ribbon([(0.48, 0.355), (0.5, 0.5), (0.48, 0.645)], 0.08)
    return Shape(
        parts=[
            Part("heel", shift(scale(outline, 1.02, 1.06), 0.0, 0.03)),
            Part("body", outline, lift=0.6),
            Part("inside", opening, lift=-0.6),
            Part("lining", insole, lift=-0.4),
            Part("trim", saddle, lift=1.0),
        ],
        seams=[(apron, 0.008)],
        stitches=[offset(apron, -0.018), offset(saddle[:3], 0.0), offset(saddle[3:], 0.0)],
        dots=[((0.5, 0.5), 0.026, "inside")],
        anchors=[(0.495, 0.42), (0.495, 0.58)],
        anchor_radius=0.025,
        logo=(0.84, 0.5),
        standing=True,
    )


def _loafers(kids: bool = False) -> Shape:
    single = map_shape(_loafer_single(), lambda pts: rotate(pts, -18))
    return pair(single, _f(0.8, 0.8, 0.16, 0.0), _f(0.8, 0.8, 0.04, 0.3))


# ---------------------------------------------------------------------------------- accessories


def _wallet() -> Shape:
    # Open flat, as catalogues show a bifold: card slots on both halves, each with a card's edge above it.
    halves = [rrect(0.06, 0.22, 0.5, 0.8, 0.03), rrect(0.5, 0.22, 0.94, 0.8, 0.03)]
    tab = rrect(0.84, 0.43, 0.99, 0.59, 0.06)  # the snap tab that closes it
    parts = [Part("trim", halves[0]), Part("trim", halves[1], lift=0.1), Part("body", tab, lift=0.3)]
    cards: tuple[Role, ...] = ("card", "card_white", "card_black", "card_white", "card_black", "card")
    for j, x0 in enumerate((0.1, 0.54)):
        for k, y in enumerate((0.33, 0.45, 0.57)):
            parts.append(
                Part(
                    cards[3 * j + k],
                    rrect(x0 + 0.03, y - 0.05, x0 + 0.33, y + 0.06, 0.015),
                    lift=0.3 + 0.3 * k,
                )
            )
            pocket = [(x0, y + 0.015), (x0 + 0.36, y - 0.015), (x0 + 0.36, y + 0.15), (x0, y + 0.15)]
            parts.append(Part("body", pocket, lift=0.6 + 0.3 * k))
    return Shape(
        parts=parts,
        seams=[([(0.5, 0.23), (0.5, 0.79)], 0.014)],
        stitches=[offset(halves[0], 0.018)[:-1], offset(halves[1], 0.018)[:-1]]
        + [
            [(x0 + 0.01, y + 0.035), (x0 + 0.35, y + 0.005)] for x0 in (0.1, 0.54) for y in (0.33, 0.45, 0.57)
        ],
        anchors=[(0.935, 0.51)],
        anchor_radius=0.04,
        logo=(0.28, 0.76),
    )


def _belt() -> Shape:
    # Laid in a loose curve, buckle on the left: frame, prong and keeper, then the holes near the tip.
    centre = bezier((0.2, 0.34), (0.5, 0.3), (0.7, 0.78), (0.93, 0.62), steps=24)
    strap = ribbon(centre, 0.13)
    bx, by = centre[-1]
    tip = ellipse(bx, by, 0.065, 0.065)
    buckle_outer = rrect(0.03, 0.22, 0.23, 0.46, 0.03)
    buckle_inner = rrect(0.065, 0.26, 0.195, 0.42, 0.015)
    keeper = ribbon([(0.27, 0.25), (0.275, 0.43)], 0.04)
    holes = along(centre, 5, 0.72, 0.92)
    return Shape(
        parts=[
            Part("body", strap),
            Part("body", tip),
            Part("metal", buckle_outer, lift=1.0),
            Part("inside", buckle_inner, lift=0.2),
            Part("body", rrect(0.13, 0.285, 0.23, 0.395), lift=0.4),
            Part("trim", keeper, lift=1.2),
        ],
        strokes=[([(0.05, 0.34), (0.2, 0.34)], 0.026, "metal")],
        stitches=[offset(centre[3:], 0.048), offset(centre[3:], -0.048)],
        dots=[(p, 0.016, "inside") for p in holes],
        logo=(0.55, 0.5),
    )


def _sunglasses() -> Shape:
    def lens(cx: float) -> Polygon:
        return [
            *bezier((cx - 0.2, 0.36), (cx - 0.05, 0.33), (cx + 0.1, 0.33), (cx + 0.21, 0.36)),
            *bezier((cx + 0.21, 0.36), (cx + 0.22, 0.7), (cx - 0.12, 0.72), (cx - 0.2, 0.5))[1:],
        ]

    left, right = lens(0.27), mirror(lens(0.27))
    frame = [ribbon(left + left[:1], 0.05), ribbon(right + right[:1], 0.05)]
    streak = [(0.13, 0.42), (0.17, 0.39), (0.26, 0.52), (0.235, 0.545)]
    glint = [streak, shift(streak, 0.46, 0.0)]
    temples = [
        ribbon([(0.07, 0.38), (0.2, 0.27), (0.38, 0.22)], 0.03, 0.02),
        ribbon([(0.93, 0.38), (0.8, 0.27), (0.62, 0.22)], 0.03, 0.02),
    ]
    return Shape(
        parts=[
            Part("trim", temples[0]),
            Part("trim", temples[1]),
            Part("lens", left),
            Part("lens", right),
            Part("glint", glint[0], lift=0.1),
            Part("glint", glint[1], lift=0.1),
            Part("body", frame[0], lift=1.0),
            Part("body", frame[1], lift=1.0),
            Part(
                "body", ribbon(bezier((0.46, 0.38), (0.5, 0.33), (0.5, 0.33), (0.54, 0.38)), 0.045), lift=1.0
            ),
        ],
        anchors=[(0.08, 0.38), (0.92, 0.38)],
        anchor_radius=0.02,
        logo=(0.22, 0.68),
        standing=True,
    )


# ----------------------------------------------------------------------------------------- hats


def _cap() -> Shape:
    crown = [*ellipse(0.56, 0.62, 0.36, 0.44, 180, 360), (0.92, 0.66), (0.2, 0.66)]
    brim = [
        *bezier((0.24, 0.56), (0.02, 0.56), (-0.02, 0.7), (0.08, 0.76)),
        *bezier((0.08, 0.76), (0.3, 0.8), (0.4, 0.72), (0.42, 0.64))[1:],
    ]
    underside = [
        *bezier((0.08, 0.76), (0.3, 0.8), (0.4, 0.72), (0.42, 0.64)),
        (0.36, 0.68),
        *bezier((0.3, 0.7), (0.2, 0.74), (0.12, 0.74), (0.08, 0.76)),
    ]
    front_panel = [
        *ellipse(0.56, 0.62, 0.36, 0.44, 200, 270, steps=8),
        (0.56, 0.18),
        (0.46, 0.62),
        (0.22, 0.62),
    ]
    return Shape(
        parts=[
            Part("body", crown),
            Part("body", front_panel, lift=0.5),
            Part("rib", rrect(0.2, 0.6, 0.92, 0.67), lift=0.3),
            Part("body", brim, lift=1.2),
            Part("trim", underside, lift=1.2),
            Part("trim", ellipse(0.56, 0.185, 0.04, 0.022), lift=1.4),
        ],
        seams=[([(0.56, 0.19), (x, 0.62)], 0.008) for x in (0.46, 0.7, 0.86)],
        stitches=[
            offset(brim[:17], -0.025),
            offset(brim[:17], -0.05),
            offset([(0.56, 0.2), (0.7, 0.62)], 0.015),
            offset([(0.56, 0.2), (0.46, 0.62)], -0.015),
        ],
        dots=[((0.68, 0.32), 0.012, "inside"), ((0.82, 0.4), 0.012, "inside")],
        logo=(0.38, 0.45),
        standing=True,
    )


def _bucket_hat() -> Shape:
    back_brim = ellipse(0.5, 0.6, 0.47, 0.2)
    crown = [
        *ellipse(0.5, 0.26, 0.25, 0.08, 180, 360),
        (0.78, 0.62),
        *ellipse(0.5, 0.62, 0.28, 0.08, 0, 180)[1:],
    ]
    front_brim = [*ellipse(0.5, 0.6, 0.47, 0.2, 0, 180), *ellipse(0.5, 0.64, 0.28, 0.08, 180, 0)]
    return Shape(
        parts=[
            Part("trim", back_brim),
            Part("body", crown, lift=0.8),
            Part("body", ellipse(0.5, 0.26, 0.25, 0.08), lift=0.9),
            Part("body", front_brim, lift=1.2),
        ],
        seams=[
            (ellipse(0.5, 0.6, 0.29, 0.085, 0, 180), 0.01),
            ([(0.4, 0.34), (0.36, 0.62)], 0.006),
            ([(0.6, 0.34), (0.64, 0.62)], 0.006),
        ],
        stitches=[
            ellipse(0.5, 0.6, 0.44, 0.18, 10, 170),
            ellipse(0.5, 0.6, 0.40, 0.155, 10, 170),
            ellipse(0.5, 0.6, 0.36, 0.13, 10, 170),
            ellipse(0.5, 0.26, 0.21, 0.06),
        ],
        dots=[((0.32, 0.44), 0.013, "metal"), ((0.68, 0.44), 0.013, "metal")],
        logo=(0.5, 0.46),
        standing=True,
    )


# ------------------------------------------------------------------------------------- knitwear


def _sweater() -> Shape:
    sleeve = [(0.27, 0.14), (0.03, 0.62), (0.13, 0.68), (0.27, 0.42)]
    cuff = [(0.03, 0.62), (0.07, 0.55), (0.17, 0.61), (0.13, 0.68)]
    cables = [
        [(x + 0.025 * (1 if k % 2 else -1), 0.24 + 0.06 * k) for k in range(11)] for x in (0.38, 0.5, 0.62)
    ]
    return Shape(
        parts=[
            Part("trim", sleeve),
            Part("trim", mirror(sleeve)),
            Part("body", rrect(0.26, 0.12, 0.74, 0.9, 0.03)),
            Part("inside", ellipse(0.5, 0.12, 0.1, 0.05, 0, 180)),
            Part("rib", ribbon(ellipse(0.5, 0.12, 0.115, 0.065, 0, 180), 0.035), lift=0.8),
            Part("rib", rrect(0.26, 0.83, 0.74, 0.9), lift=0.6),
            Part("rib", cuff, lift=0.6),
            Part("rib", mirror(cuff), lift=0.6),
        ],
        seams=[(c, 0.012) for c in cables]
        + [(offset(c, 0.03), 0.006) for c in cables]
        + [(offset(c, -0.03), 0.006) for c in cables],
        logo=(0.5, 0.4),
        folds=0.25,
        knit=True,
    )


def _vest() -> Shape:
    vest = [
        (0.3, 0.06),
        (0.42, 0.06),
        (0.5, 0.38),
        (0.58, 0.06),
        (0.7, 0.06),
        *bezier((0.7, 0.06), (0.72, 0.3), (0.8, 0.3), (0.8, 0.36))[1:],
        (0.8, 0.94),
        (0.2, 0.94),
        (0.2, 0.36),
        *bezier((0.2, 0.36), (0.2, 0.3), (0.28, 0.3), (0.3, 0.06))[1:],
    ]
    back_neck = [(0.42, 0.06), (0.58, 0.06), (0.5, 0.12)]
    band = ribbon([(0.41, 0.05), (0.5, 0.39), (0.59, 0.05)], 0.04)
    arm = ribbon(bezier((0.3, 0.06), (0.28, 0.3), (0.2, 0.3), (0.2, 0.36)), 0.035)
    return Shape(
        parts=[
            Part("body", vest),
            Part("inside", back_neck),
            Part("rib", band, lift=0.8),
            Part("rib", arm, lift=0.6),
            Part("rib", mirror(arm), lift=0.6),
            Part("rib", rrect(0.2, 0.86, 0.8, 0.94), lift=0.6),
        ],
        seams=[([(0.5, 0.42), (0.5, 0.86)], 0.008)] + [([(x, 0.44), (x, 0.84)], 0.01) for x in (0.32, 0.68)],
        anchors=[(0.5, 0.5), (0.5, 0.62), (0.5, 0.74)],
        anchor_radius=0.022,
        logo=(0.66, 0.26),
        folds=0.2,
        knit=True,
    )


# ----------------------------------------------------------------------------------------- tops


def _tshirt() -> Shape:
    shirt = [
        (0.3, 0.1),
        (0.42, 0.08),
        (0.58, 0.08),
        (0.7, 0.1),
        (0.96, 0.27),
        (0.86, 0.43),
        (0.74, 0.36),
        (0.74, 0.94),
        (0.26, 0.94),
        (0.26, 0.36),
        (0.14, 0.43),
        (0.04, 0.27),
    ]
    hem = [(0.96, 0.27), (0.86, 0.43), (0.82, 0.405), (0.92, 0.245)]
    return Shape(
        parts=[
            Part("body", shirt),
            Part("inside", ellipse(0.5, 0.085, 0.08, 0.045, 0, 180)),
            Part("rib", ribbon(ellipse(0.5, 0.085, 0.095, 0.06, 0, 180), 0.03), lift=0.6),
        ],
        seams=[
            ([(0.3, 0.1), (0.26, 0.36)], 0.006),
            ([(0.7, 0.1), (0.74, 0.36)], 0.006),
            (hem[2:], 0.006),
            (mirror(hem[2:]), 0.006),
        ],
        stitches=[[(0.27, 0.91), (0.73, 0.91)], offset(hem[1:3], 0.0), offset(mirror(hem[1:3]), 0.0)],
        logo=(0.5, 0.36),
        folds=0.35,
    )


def _hoodie() -> Shape:
    sleeve = [(0.25, 0.22), (0.1, 0.3), (0.03, 0.86), (0.14, 0.9), (0.25, 0.48)]
    hood = ellipse(0.5, 0.17, 0.2, 0.16)
    pocket = [(0.32, 0.6), (0.68, 0.6), (0.74, 0.8), (0.26, 0.8)]
    return Shape(
        parts=[
            Part("trim", sleeve),
            Part("trim", mirror(sleeve)),
            Part("body", hood),
            Part("body", rrect(0.24, 0.22, 0.76, 0.95, 0.04)),
            Part("inside", ellipse(0.5, 0.2, 0.12, 0.11), lift=-0.5),
            Part("body", pocket, lift=0.8),
            Part("rib", rrect(0.24, 0.89, 0.76, 0.95), lift=0.4),
            Part("rib", rrect(0.03, 0.84, 0.15, 0.9), lift=0.4),
            Part("rib", mirror(rrect(0.03, 0.84, 0.15, 0.9)), lift=0.4),
        ],
        strokes=[([(0.44, 0.3), (0.43, 0.48)], 0.012, "lace"), ([(0.56, 0.3), (0.57, 0.48)], 0.012, "lace")],
        seams=[([(0.32, 0.6), (0.26, 0.8)], 0.01), ([(0.68, 0.6), (0.74, 0.8)], 0.01)],
        stitches=[[(0.33, 0.62), (0.67, 0.62)]],
        dots=[((0.435, 0.49), 0.012, "eyelet"), ((0.575, 0.49), 0.012, "eyelet")],
        logo=(0.5, 0.44),
        folds=0.3,
    )


# ------------------------------------------------------------------------------ trousers, dresses


def _legwear(hem_y: float, hem_spread: float, crotch: float, cuffed: bool) -> Shape:
    out_l, out_r = 0.22 - hem_spread, 0.78 + hem_spread
    garment = [
        (0.24, 0.06),
        (0.76, 0.06),
        (out_r, hem_y),
        (0.555, hem_y),
        (0.5, crotch),
        (0.445, hem_y),
        (out_l, hem_y),
    ]
    parts = [
        Part("body", garment),
        Part("inside", ellipse(0.5, 0.06, 0.25, 0.025, 180, 360)),
        Part("trim", rrect(0.24, 0.06, 0.76, 0.12), lift=0.8),
    ]
    parts += [
        Part("trim", rrect(x - 0.015, 0.055, x + 0.015, 0.135), lift=1.2) for x in (0.3, 0.42, 0.58, 0.7)
    ]
    if cuffed:
        parts += [
            Part(
                "trim",
                [(out_l, hem_y - 0.07), (0.445, hem_y - 0.07), (0.445, hem_y), (out_l, hem_y)],
                lift=0.6,
            ),
            Part(
                "trim",
                [(0.555, hem_y - 0.07), (out_r, hem_y - 0.07), (out_r, hem_y), (0.555, hem_y)],
                lift=0.6,
            ),
        ]
    return Shape(
        parts=parts,
        seams=[
            ([(0.5, 0.12), (0.5, crotch)], 0.008),
            (bezier((0.26, 0.13), (0.32, 0.2), (0.36, 0.22), (0.36, 0.28)), 0.008),
            (mirror(bezier((0.26, 0.13), (0.32, 0.2), (0.36, 0.22), (0.36, 0.28))), 0.008),
            ([(0.35, 0.3), ((0.47 + out_l) / 2, hem_y)], 0.004),
            ([(0.65, 0.3), ((0.53 + out_r) / 2, hem_y)], 0.004),
        ],
        stitches=[
            bezier((0.52, 0.13), (0.56, 0.2), (0.56, 0.28), (0.5, crotch - 0.02)),
            [(out_l + 0.01, hem_y - 0.03), (0.46, hem_y - 0.03)],
            [(0.54, hem_y - 0.03), (out_r - 0.01, hem_y - 0.03)],
        ],
        anchors=[(0.5, 0.09), (0.36, 0.26), (0.64, 0.26)],  # the waist button, buttoned pocket corners
        anchor_radius=0.026,
        logo=(0.33, 0.2),
        always_show_anchors=True,
        stripe_angle=90.0,
        folds=0.25,
    )


def _trousers() -> Shape:
    return _legwear(0.97, 0.0, 0.36, cuffed=False)


def _shorts() -> Shape:
    shape = _legwear(0.7, 0.08, 0.44, cuffed=True)
    shape.stripe_angle = 0.0
    return shape


def _dress() -> Shape:
    hanger = ribbon(bezier((0.16, 0.2), (0.4, 0.08), (0.6, 0.08), (0.84, 0.2)), 0.03)
    hook = [(0.5, 0.1), *bezier((0.5, 0.1), (0.5, 0.0), (0.58, -0.01), (0.58, 0.05))]
    bodice = [
        (0.32, 0.14),
        (0.42, 0.16),
        (0.5, 0.25),
        (0.58, 0.16),
        (0.68, 0.14),
        (0.72, 0.22),
        (0.64, 0.3),
        (0.62, 0.44),
        (0.38, 0.44),
        (0.36, 0.3),
        (0.28, 0.22),
    ]
    skirt = [
        (0.38, 0.42),
        (0.62, 0.42),
        *bezier((0.62, 0.42), (0.8, 0.6), (0.9, 0.8), (0.92, 0.96)),
        *bezier((0.92, 0.96), (0.6, 1.0), (0.4, 1.0), (0.08, 0.96))[1:],
        *bezier((0.08, 0.96), (0.1, 0.8), (0.2, 0.6), (0.38, 0.42))[1:],
    ]
    pleats = [([(0.44 + 0.04 * k, 0.46), (0.2 + 0.15 * k, 0.96)], 0.006) for k in range(5)]
    return Shape(
        parts=[
            Part("hanger", hanger),
            Part("body", skirt),
            Part("body", bodice, lift=0.4),
            Part("inside", [(0.42, 0.16), (0.58, 0.16), (0.5, 0.23)]),
            Part("trim", rrect(0.37, 0.41, 0.63, 0.46), lift=0.8),
        ],
        strokes=[(hook, 0.014, "metal")],
        seams=pleats,
        stitches=[bezier((0.1, 0.93), (0.4, 0.97), (0.6, 0.97), (0.9, 0.93))],
        anchors=[(0.5, 0.3), (0.5, 0.37)],
        anchor_radius=0.018,
        logo=(0.5, 0.7),
        folds=0.5,
    )


def _skirt() -> Shape:
    skirt = [
        (0.3, 0.18),
        (0.7, 0.18),
        *bezier((0.7, 0.18), (0.8, 0.4), (0.88, 0.7), (0.9, 0.86)),
        *bezier((0.9, 0.86), (0.6, 0.94), (0.4, 0.94), (0.1, 0.86))[1:],
        *bezier((0.1, 0.86), (0.12, 0.7), (0.2, 0.4), (0.3, 0.18))[1:],
    ]
    pleats = [
        ([(0.34 + 0.055 * k, 0.26), (0.16 + 0.12 * k, 0.88 + 0.04 * (1 - abs(k - 3) / 3))], 0.007)
        for k in range(7)
    ]
    return Shape(
        parts=[
            Part("body", skirt),
            Part("trim", rrect(0.3, 0.16, 0.7, 0.25), lift=0.8),
            Part("inside", ellipse(0.5, 0.165, 0.2, 0.022, 180, 360)),
        ],
        seams=pleats,
        stitches=[bezier((0.12, 0.83), (0.4, 0.9), (0.6, 0.9), (0.88, 0.83))],
        anchors=[
            (0.62, 0.205),
            (0.5, 0.36),
            (0.5, 0.5),
            (0.5, 0.64),
            (0.5, 0.78),
        ],  # a button front when named
        anchor_radius=0.022,
        logo=(0.5, 0.6),
        folds=0.4,
    )


SHAPES: dict[str, Callable[..., Shape]] = {
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
_HAS_KIDS_VARIANT = {"SNEAKERS", "BOOTS", "LOAFERS"}


def _childlike(points: list[Point]) -> list[Point]:
    """Children's proportions: a garment shorter for its width (a bigger head and shorter limbs)."""
    return scale(points, 1.0, 0.84, 0.5, 0.45)


@lru_cache(maxsize=64)
def shape_for(category3: str, kids: bool = False) -> Shape:
    """The construction of a leaf (children's proportions with `kids`); KeyError names an unknown leaf.

    Cached: the shape is shared by every photo of the leaf, so callers treat it as read-only.
    """
    try:
        build = SHAPES[category3]
    except KeyError:
        raise KeyError(f"no silhouette for category3 {category3!r}") from None
    if not kids:
        return build()
    if category3 in _HAS_KIDS_VARIANT:
        return map_shape(build(kids=True), lambda pts: scale(pts, 0.94, 1.1, 0.5, 0.55))
    return map_shape(build(), _childlike)
