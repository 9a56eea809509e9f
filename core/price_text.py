"""How a price is written in answer text, once for every stage: "1290" when whole, "1290.50" with cents.

Training targets (finetune/answer_format.py) and the exported conversations (export.py) use this one
function, so an exported CookBook answer reads `Full Price: 680` exactly like a trained answer, never
`680.0`. It lives on the ground floor (core/) because sample-gen exports and must not import a later stage.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal


def format_price(value: float) -> str:
    """A price as written in targets: "1290" when whole, "1290.50" when it has cents."""
    if value is None or not math.isfinite(value) or value < 0:
        raise ValueError(f"a price must be a finite number >= 0; got {value!r}")
    # Decimal from the shortest repr rounds 12.345 to 12.35 as written, not as the binary float 12.3449...
    cents = int((Decimal(repr(float(value))) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    whole, rest = divmod(cents, 100)
    return str(whole) if rest == 0 else f"{whole}.{rest:02d}"
