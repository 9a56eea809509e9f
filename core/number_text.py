"""The value of a written number such as "1,290.50", "1.290,50", "1 290,50" or "12,5": one reader under
both price readers (generate/clean.py for imported catalogues, finetune/answer_format.py for answers).

The rules, shared by both:

- spaces (also non-breaking and thin ones) and apostrophes group digits and are dropped; a number
  grouped that way uses a lone `,` or `.` as its decimal mark ("1 234,50" is 1234.5);
- with both `,` and `.`, the one further right is the decimal mark (it must occur once) and the other
  groups thousands ("1,234.56" and "1.234,56" are both 1234.56);
- the same mark more than once groups thousands ("1,234,567");
- a lone mark followed by other than three digits is the decimal mark ("12,5" is 12.5).

What differs is the ambiguous case, a lone mark followed by exactly three digits, and how strict the
groups must be; each caller says which it wants:

- `lone_mark="thousands"`: always a thousands separator ("0.125" is 125, "1,290" is 1290): catalogues
  write whole prices, and a DBQ export's "1.290" is never a price of one and a bit;
- `lone_mark="thousands_unless_zero"`: a thousands separator unless the integer part is 0 ("0.125" is
  0.125, "1,290" is 1290): a model that writes "0.125" means a fraction;
- `strict_groups=True`: a grouped number must be well formed (one to three leading digits, then groups
  of three: "1234.567" is then 1234.567 and "1,29,000" unreadable) and a decimal mark needs digits on
  both sides ("1290." is unreadable); with False every grouping is accepted as written.
"""

from __future__ import annotations

import re
from typing import Literal

LoneMark = Literal["thousands", "thousands_unless_zero"]

GROUP_SPACES = " \u00a0\u2009\u202f'"
_SPACES = re.compile(f"[{GROUP_SPACES}]+")
_DIGITS_AND_MARKS = re.compile(r"^[\d.,]*\d[\d.,]*$")


def _well_grouped(integer: str, mark: str) -> bool:
    """1-3 leading digits, then groups of exactly three: "1,234,567" yes, "1,29,000" and "1234,567" no."""
    return re.fullmatch(rf"\d{{1,3}}(?:{re.escape(mark)}\d{{3}})+", integer) is not None


def read_number(token: str, *, lone_mark: LoneMark, strict_groups: bool) -> float | None:
    """The value of `token` (digits, `,` `.` marks, spaces) by the rules above; None when unreadable.

    No sign, currency or other text: each caller strips or finds those first.
    """
    spaced = _SPACES.search(token.strip()) is not None
    text = _SPACES.sub("", token)
    if not _DIGITS_AND_MARKS.match(text):
        return None
    marks = [ch for ch in text if ch in ",."]
    if not marks:
        return float(text)
    if len(set(marks)) == 2:
        decimal = marks[-1]
        if text.count(decimal) > 1:
            return None
        integer, fraction = text.split(decimal)
        grouping = "," if decimal == "." else "."
        return _decimal(integer.replace(grouping, ""), fraction, strict_groups)
    mark = marks[0]
    if len(marks) > 1:
        if strict_groups and not _well_grouped(text, mark):
            return None
        return float(text.replace(mark, ""))
    integer, fraction = text.split(mark)
    if len(fraction) == 3 and not spaced and integer:
        thousands = lone_mark == "thousands" or integer.strip("0") != ""
        if strict_groups:
            thousands = thousands and _well_grouped(text, mark)
        if thousands:
            return float(integer + fraction)
    return _decimal(integer, fraction, strict_groups)


def _decimal(integer: str, fraction: str, strict_groups: bool) -> float | None:
    if strict_groups and not (integer and fraction):
        return None
    return float(f"{integer or '0'}.{fraction or '0'}")
