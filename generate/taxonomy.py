"""The fashion-catalogue taxonomy behind synthetic products: categories, visible attributes, prices.

Every attribute here is something the photo shows (leaf silhouette, colour, material look, pattern,
hardware, size), and every title word comes from this file, so `title_vocabulary()` is the closed
list of words a title or category code can contain.

Price model (EUR, before noise; see `oracle_price_eur`):

    base_price(leaf) * material * pattern * hardware * size * audience

`audience` is 0.5 for KIDS (drawn visibly smaller) and 1.0 otherwise. The multipliers below are
the whole model; the generator then multiplies by log-normal noise and rounds like a catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass

CATEGORY1 = ("WOMAN", "MAN", "KIDS")
KIDS_PRICE_FACTOR = 0.5
# Fraction of the shorter image side an item fills (before photo jitter).
ADULT_SCALE = 0.86
KIDS_SCALE = 0.6


@dataclass(frozen=True)
class Leaf:
    """One category3 leaf: a drawn silhouette, the title noun and what it may be made of."""

    code: str  # category3_code, e.g. "TOTE BAGS"
    category2: str  # category2_code, e.g. "BAGS"
    noun: str  # the last words of a title, e.g. "Tote Bag"
    base_price_eur: float
    materials: tuple[str, ...]
    audiences: tuple[str, ...] = ("WOMAN", "MAN", "KIDS")
    sized: bool = False  # True: a size word (Mini...Large) is part of the title and drawn as scale
    hardware_word: str | None = "Hardware"  # None: the leaf carries no metal hardware, only a logo


@dataclass(frozen=True)
class Colour:
    name: str
    rgb: tuple[int, int, int]


@dataclass(frozen=True)
class Material:
    name: str
    price_factor: float


@dataclass(frozen=True)
class Pattern:
    name: str  # attribute value
    title_word: str | None  # None: not named in the title (plain)
    price_factor: float


@dataclass(frozen=True)
class Hardware:
    name: str  # "none", "Gold", "Silver", "Logo"
    price_factor: float


@dataclass(frozen=True)
class Size:
    name: str
    price_factor: float
    scale: float  # fraction of the shorter image side


_ADULT = ("WOMAN", "MAN")
_WOMAN_KIDS = ("WOMAN", "KIDS")

LEAVES: tuple[Leaf, ...] = (
    Leaf("TOTE BAGS", "BAGS", "Tote Bag", 1990, ("Leather", "Canvas", "Nylon"), _ADULT, sized=True),
    Leaf("CROSSBODY BAGS", "BAGS", "Crossbody Bag", 1650, ("Leather", "Suede", "Nylon"), _ADULT, sized=True),
    Leaf("BACKPACKS", "BAGS", "Backpack", 1750, ("Leather", "Nylon", "Canvas"), _ADULT, sized=True),
    Leaf("CLUTCHES", "BAGS", "Clutch", 1050, ("Leather", "Suede", "Silk"), ("WOMAN",), sized=True),
    Leaf(
        "TRENCH COATS", "OUTERWEAR", "Trench Coat", 2290, ("Cotton", "Wool", "Nylon"), hardware_word="Buttons"
    ),
    Leaf("PUFFER JACKETS", "OUTERWEAR", "Puffer Jacket", 1590, ("Nylon", "Cotton"), hardware_word="Hardware"),
    Leaf("CASHMERE SCARVES", "SCARVES", "Scarf", 550, ("Cashmere",), hardware_word=None),
    Leaf("SILK SCARVES", "SCARVES", "Square Scarf", 350, ("Silk",), hardware_word=None),
    Leaf("SNEAKERS", "SHOES", "Sneakers", 590, ("Leather", "Canvas", "Suede")),
    Leaf("BOOTS", "SHOES", "Ankle Boots", 1150, ("Leather", "Suede")),
    Leaf("LOAFERS", "SHOES", "Loafers", 790, ("Leather", "Suede"), _ADULT),
    Leaf("WALLETS & CARD CASES", "ACCESSORIES", "Wallet", 450, ("Leather", "Canvas"), _ADULT, sized=True),
    Leaf("BELTS", "ACCESSORIES", "Belt", 390, ("Leather", "Suede"), _ADULT),
    Leaf("SUNGLASSES", "ACCESSORIES", "Sunglasses", 250, ("Acetate",), _ADULT, hardware_word="Hardware"),
    Leaf("CAPS", "HATS", "Baseball Cap", 290, ("Cotton", "Wool", "Nylon"), hardware_word=None),
    Leaf("BUCKET HATS", "HATS", "Bucket Hat", 390, ("Cotton", "Wool", "Nylon"), hardware_word=None),
    Leaf("SWEATERS", "KNITWEAR", "Sweater", 890, ("Wool", "Cashmere", "Cotton"), hardware_word=None),
    Leaf("KNITTED VESTS", "KNITWEAR", "Vest", 650, ("Wool", "Cashmere", "Cotton"), hardware_word="Buttons"),
    Leaf("T-SHIRTS", "TOPS", "T-shirt", 290, ("Cotton", "Silk"), hardware_word=None),
    Leaf("HOODIES", "TOPS", "Hoodie", 690, ("Cotton", "Wool"), hardware_word=None),
    Leaf("TROUSERS", "TROUSERS", "Trousers", 690, ("Wool", "Cotton", "Denim"), hardware_word="Buttons"),
    Leaf("SHORTS", "TROUSERS", "Shorts", 450, ("Cotton", "Denim", "Nylon"), hardware_word="Buttons"),
    Leaf(
        "DRESSES", "DRESSES", "Dress", 1490, ("Silk", "Cotton", "Wool"), _WOMAN_KIDS, hardware_word="Buttons"
    ),
    Leaf(
        "SKIRTS",
        "DRESSES",
        "Skirt",
        750,
        ("Wool", "Cotton", "Denim", "Leather"),
        _WOMAN_KIDS,
        hardware_word="Buttons",
    ),
)

# Strong, well separated colours: they must stay distinct after downsampling to 64 px.
COLOURS: tuple[Colour, ...] = (
    Colour("Black", (28, 28, 30)),
    Colour("White", (238, 236, 228)),
    Colour("Camel", (196, 142, 80)),
    Colour("Navy", (30, 42, 96)),
    Colour("Red", (204, 32, 40)),
    Colour("Green", (26, 112, 62)),
    Colour("Pink", (236, 124, 176)),
    Colour("Blue", (62, 136, 222)),
    Colour("Yellow", (242, 198, 36)),
    Colour("Burgundy", (112, 22, 48)),
    Colour("Grey", (128, 130, 134)),
)

MATERIALS: tuple[Material, ...] = (
    Material("Leather", 1.3),
    Material("Suede", 1.2),
    Material("Canvas", 0.9),
    Material("Nylon", 0.85),
    Material("Cotton", 0.85),
    Material("Wool", 1.0),
    Material("Cashmere", 1.4),
    Material("Silk", 1.25),
    Material("Denim", 0.9),
    Material("Acetate", 1.0),
)

PATTERNS: tuple[Pattern, ...] = (
    Pattern("plain", None, 1.0),
    Pattern("check", "Check", 1.15),
    Pattern("stripe", "Striped", 1.05),
    Pattern("monogram", "Monogram", 1.1),
)

HARDWARE: tuple[Hardware, ...] = (
    Hardware("none", 1.0),
    Hardware("Gold", 1.1),
    Hardware("Silver", 1.05),
    Hardware("Logo", 1.03),
)

SIZES: tuple[Size, ...] = (
    Size("Mini", 0.65, 0.5),
    Size("Small", 0.8, 0.64),
    Size("Medium", 1.0, 0.77),
    Size("Large", 1.25, 0.92),
)

LEAF_BY_CODE = {leaf.code: leaf for leaf in LEAVES}
COLOUR_BY_NAME = {c.name: c for c in COLOURS}
MATERIAL_BY_NAME = {m.name: m for m in MATERIALS}
PATTERN_BY_NAME = {p.name: p for p in PATTERNS}
HARDWARE_BY_NAME = {h.name: h for h in HARDWARE}
SIZE_BY_NAME = {s.name: s for s in SIZES}
CATEGORY2 = tuple(dict.fromkeys(leaf.category2 for leaf in LEAVES))


@dataclass(frozen=True)
class Attributes:
    """The visible attributes of one product: all of them are drawn and all but `audience` are named."""

    leaf: str  # category3_code
    audience: str  # category1_code
    colour: str
    material: str
    pattern: str
    hardware: str
    size: str | None  # None for leaves that are not sized


def hardware_options(leaf: Leaf) -> tuple[str, ...]:
    """Hardware values a leaf can carry (leaves without metal parts only get a logo or nothing)."""
    if leaf.hardware_word is None:
        return ("none", "Logo")
    return tuple(h.name for h in HARDWARE)


def make_title(attrs: Attributes) -> str:
    """A catalogue title built from the visible attributes, e.g. 'Small Camel Check Leather Tote Bag'."""
    leaf = LEAF_BY_CODE[attrs.leaf]
    words: list[str] = []
    if attrs.size is not None:
        words.append(attrs.size)
    words.append(attrs.colour)
    pattern_word = PATTERN_BY_NAME[attrs.pattern].title_word
    if pattern_word:
        words.append(pattern_word)
    words.append(attrs.material)
    words.append(leaf.noun)
    if attrs.hardware == "Logo":
        words.append("with Logo")
    elif attrs.hardware != "none":
        words.append(f"with {attrs.hardware} {leaf.hardware_word}")
    return " ".join(words)


def oracle_price_eur(attrs: Attributes) -> float:
    """The noise-free price in EUR: the documented product of base price and multipliers."""
    leaf = LEAF_BY_CODE[attrs.leaf]
    price = leaf.base_price_eur
    price *= MATERIAL_BY_NAME[attrs.material].price_factor
    price *= PATTERN_BY_NAME[attrs.pattern].price_factor
    price *= HARDWARE_BY_NAME[attrs.hardware].price_factor
    if attrs.size is not None:
        price *= SIZE_BY_NAME[attrs.size].price_factor
    if attrs.audience == "KIDS":
        price *= KIDS_PRICE_FACTOR
    return price


def item_scale(attrs: Attributes) -> float:
    """Fraction of the shorter image side the item fills: size and audience are visible as scale."""
    if attrs.size is not None:
        return SIZE_BY_NAME[attrs.size].scale
    return KIDS_SCALE if attrs.audience == "KIDS" else ADULT_SCALE


def title_vocabulary() -> list[str]:
    """Every word that can appear in a title or a category code, sorted (the tiny tokenizer's words)."""
    words: set[str] = set()
    for leaf in LEAVES:
        words.update(leaf.code.split())
        words.update(leaf.category2.split())
        words.update(leaf.noun.split())
        if leaf.hardware_word:
            words.add(leaf.hardware_word)
    words.update(CATEGORY1)
    words.update(c.name for c in COLOURS)
    words.update(m.name for m in MATERIALS)
    words.update(p.title_word for p in PATTERNS if p.title_word)
    words.update(h.name for h in HARDWARE if h.name != "none")
    words.update(s.name for s in SIZES)
    words.add("with")
    return sorted(words)
