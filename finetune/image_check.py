"""The blank-image check of training: does the model answer better with the photo than without it?

The validation samples are asked twice, with their photo and with a white image of the same size. The
paired difference in category3 accuracy (an unparsed answer counts as wrong) gets a 95 % interval for
paired proportions (Wald, from the discordant pairs: b samples right only with the photo, c right only
without): difference (b - c) / n, standard error sqrt(b + c - (b - c)^2 / n) / n. When the interval
reaches 0 the model does as well without the image, which is the warning: it learned the answer format,
or the text, but does not read the photo. `evaluate --ablate` runs the same check on the test split with
bootstrap intervals and a shuffled-photo variant.
"""

from __future__ import annotations

import math
from typing import Any, TypedDict

from PIL import Image

Z_95 = 1.959963984540054
BLANK_RGB = (255, 255, 255)


class ImageCheck(TypedDict):
    step: int
    n: int
    category3_accuracy: float  # with the photo
    blank_category3_accuracy: float  # with a blank image of the same size
    difference: float  # with - without
    ci_low: float
    ci_high: float
    reads_image: bool  # the interval lies above 0
    warning: str | None


def blank_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with each photo replaced by a white image of its size (other columns unchanged)."""
    blanks: dict[tuple[int, int], Image.Image] = {}
    out = []
    for row in rows:
        size = row["image"].size
        if size not in blanks:
            blanks[size] = Image.new("RGB", size, BLANK_RGB)
        out.append({**row, "image": blanks[size]})
    return out


def image_check(step: int, with_photo: list[bool], without_photo: list[bool]) -> ImageCheck:
    """The paired comparison of per-sample correctness with and without the photo."""
    n = len(with_photo)
    if n == 0 or len(without_photo) != n:
        raise ValueError(
            f"the image check needs the same samples on both sides; got {n} and {len(without_photo)}"
        )
    only_with = sum(a and not b for a, b in zip(with_photo, without_photo, strict=True))
    only_without = sum(b and not a for a, b in zip(with_photo, without_photo, strict=True))
    difference = (only_with - only_without) / n
    se = math.sqrt(max(0.0, only_with + only_without - (only_with - only_without) ** 2 / n)) / n
    # A difference of two proportions lies in [-1, 1]; the Wald interval can pass those ends at small n.
    low, high = max(-1.0, difference - Z_95 * se), min(1.0, difference + Z_95 * se)
    accuracy, blank = sum(with_photo) / n, sum(without_photo) / n
    reads = low > 0
    warning = None
    if not reads:
        warning = (
            f"the model does as well without the image: category3 accuracy {accuracy:.0%} with the photo, "
            f"{blank:.0%} with a blank image (difference {difference * 100:.1f} points "
            f"[{low * 100:.1f}, {high * 100:.1f}], n {n}); it does not read the photo"
        )
    return ImageCheck(
        step=step,
        n=n,
        category3_accuracy=accuracy,
        blank_category3_accuracy=blank,
        difference=difference,
        ci_low=low,
        ci_high=high,
        reads_image=reads,
        warning=warning,
    )
