"""The README's contact sheet: every leaf once, the previous renderer beside the current one, same product.

    python docs/make_contact_sheet.py                 # -> docs/contact_sheet.jpg
    python docs/make_contact_sheet.py --seed 3 --out /tmp/sheet.jpg

Each leaf gets one product (attributes and photo variation from one random stream, as sample-gen
draws them); the left photo of a pair is the renderer as it was at OLD_RENDERER (read from git, so
the repository carries no second copy of it), the right one is `render_product` today. Run from a
git checkout.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from productlens.core.atomic_writes import atomic_write_bytes
from productlens.generate.products import leaf_attributes
from productlens.generate.render import PhotoSettings, encode_photo, render_product
from productlens.generate.taxonomy import LEAVES

OLD_RENDERER = "171b8d1d29c821ecbb890acf4e6d6163fb274341"  # the last commit with the flat-polygon renderer
ROOT = Path(__file__).resolve().parent.parent


def old_render_product() -> types.FunctionType:
    """`render_product` of OLD_RENDERER, loaded from git into a private module pair."""

    def source(path: str) -> str:
        return subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{OLD_RENDERER}:{path}"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    modules = {}
    for name, path in (("old_silhouettes", "generate/silhouettes.py"), ("old_render", "generate/render.py")):
        module = sys.modules[name] = types.ModuleType(name)  # dataclasses look their module up here
        code = source(path).replace("productlens.generate.silhouettes", "old_silhouettes")
        exec(compile(code, f"{name}.py", "exec"), module.__dict__)
        modules[name] = module
    return modules["old_render"].render_product


def contact_sheet(seed: int, tile: int) -> Image.Image:
    old = old_render_product()
    settings = PhotoSettings(336, 336, prop_rate=0.15, crop_rate=0.0)
    pairs_per_row, label = 4, 16
    rows = -(-len(LEAVES) // pairs_per_row)
    gap = 10
    sheet = Image.new("RGB", (pairs_per_row * (2 * tile + gap) - gap, rows * (tile + label)), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    for k, leaf in enumerate(LEAVES):
        audience = "KIDS" if k % 5 == 4 and "KIDS" in leaf.audiences else leaf.audiences[0]
        photos = []
        for renderer in (old, render_product):
            rng = np.random.default_rng([seed, k])
            attrs = leaf_attributes(leaf, audience, rng)
            photos.append(renderer(attrs, rng, settings).resize((tile, tile), Image.Resampling.LANCZOS))
        x = (k % pairs_per_row) * (2 * tile + gap)
        y = (k // pairs_per_row) * (tile + label)
        sheet.paste(photos[0], (x, y + label))
        sheet.paste(photos[1], (x + tile, y + label))
        kids = " (KIDS)" if audience == "KIDS" else ""
        draw.text((x + 2, y + 2), f"{leaf.code}{kids}: before | after", fill=(40, 40, 40))
    return sheet


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tile", type=int, default=168, help="pixels a side of each photo on the sheet")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "contact_sheet.jpg")
    args = parser.parse_args()
    sheet = contact_sheet(args.seed, args.tile)
    atomic_write_bytes(args.out, encode_photo(sheet, "jpeg", 82))
    print(f"{args.out}: {sheet.width}x{sheet.height}, {args.out.stat().st_size / 1024:.0f} KiB")  # noqa: T201 (a script)


if __name__ == "__main__":
    main()
