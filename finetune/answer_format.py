"""The one place that builds prompts and answer texts, and reads generated answers back into fields.

Training targets (finetune) and answer parsing (evaluate) come from this module, so they cannot
drift apart; a round-trip property test holds them together.

Prices in targets are written one way: plain digits, no currency, no thousands separator, and two
decimals only when the price has cents ("1290", "1290.50", never "1290.0" or "1,290.00"). Why:
- the currency is constant within a set (`currency_code`), so a symbol adds tokens and no information;
- thousands separators are locale-dependent ("1,290" vs "1.290") and make "1.290" ambiguous;
- most catalogue prices are whole, so "1290.0" would teach a meaningless ".0" on almost every
  sample, while a real fractional price keeps its cents;
- the Phi-3 tokenizer splits numbers into single digits, so the shortest form is also the cheapest.

The parser is tolerant of everything a model (or another model served elsewhere) may write
instead: currency symbols and codes, "1,234.50", "1.234,50 EUR", "1 234,50", missing fields,
extra text around the answer, empty output. It never invents a value: a field it cannot read is
None, and `error` says why.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from productlens.core.number_text import read_number
from productlens.core.price_text import format_price  # one home for the written price (export uses it)

TARGET_SUFFIX = "<|end|>\n<|endoftext|>"
"""Appended to `format_answer(...)` to make a training target (the official recipe, PHI3V.md section 4)."""

PresetName = Literal["chat", "cookbook", "zero-shot"]
FieldName = Literal["title", "category", "price"]

# Placeholders an answer template may use, named after the DBQ columns they are filled from.
_PLACEHOLDER_FIELDS: dict[str, FieldName] = {
    "title": "title",
    "category3_code": "category",
    "full_price": "price",
}
# Labels a model may use for a field besides the one in the template (longest first when matching).
_LABEL_SYNONYMS: dict[FieldName, tuple[str, ...]] = {
    "title": ("Product", "Title", "Product name", "Name"),
    "category": ("Category", "Category3", "Product category"),
    "price": ("Full Price", "Full price", "Price", "Retail price"),
}
_STOP_TOKENS = ("<|end|>", "<|endoftext|>", "<|assistant|>", "<|user|>", "</s>")


def _template_labels(answer_template: str) -> dict[str, str]:
    """Placeholder name -> the label written before it in the template (e.g. "Full Price:")."""
    labels = {}
    for literal, name, _, _ in string.Formatter().parse(answer_template):
        if name is None:
            continue
        labels[name] = literal.strip().lstrip(",;|-").strip()
    return labels


@dataclass(frozen=True)
class PromptStyle:
    """How the user turn is written and how the answer is laid out."""

    name: str = field(default="chat", metadata={"help": "Name of the style, recorded in run.json."})
    question: str = field(
        default="What is shown in this image?", metadata={"help": "The user's question after the image."}
    )
    prompt_template: str = field(
        default="<|user|>\n<|image_1|>\n{question}<|end|>\n<|assistant|>\n",
        metadata={
            "help": "The user turn up to the assistant's answer; must contain {question} and <|image_1|>."
        },
    )
    answer_template: str = field(
        default="Product: {title}, Category: {category3_code}, Full Price: {full_price}",
        metadata={
            "help": "The answer; placeholders {title}, {category3_code}, {full_price}, each after a label "
            "such as 'Product:' that the parser looks for."
        },
    )

    def __post_init__(self) -> None:
        if "{question}" not in self.prompt_template:
            raise ValueError(f"prompt_template must contain {{question}}; got {self.prompt_template!r}")
        if "<|image_1|>" not in self.prompt_template:
            raise ValueError(f"prompt_template must contain <|image_1|>; got {self.prompt_template!r}")
        names = [name for _, name, _, _ in string.Formatter().parse(self.answer_template) if name is not None]
        unknown = sorted(set(names) - set(_PLACEHOLDER_FIELDS))
        if unknown:
            raise ValueError(
                f"answer_template uses unknown placeholders {unknown}; allowed: {sorted(_PLACEHOLDER_FIELDS)}"
            )
        if len(names) != len(set(names)):
            raise ValueError(f"answer_template repeats a placeholder: {self.answer_template!r}")
        for name, label in _template_labels(self.answer_template).items():
            if not label:
                raise ValueError(
                    f"answer_template needs a label (such as 'Price:') before {{{name}}} so answers can be "
                    f"parsed back; got {self.answer_template!r}"
                )

    @classmethod
    def preset(cls, name: PresetName | str) -> PromptStyle:
        """A named preset: "chat" (the official chat template), "cookbook" (the CookBook's exact string) or
        "zero-shot" (the question spells out the answer format; see `zero_shot_style`)."""
        if name not in PRESETS:
            raise ValueError(f"unknown prompt style {name!r}; choose one of {sorted(PRESETS)}")
        return PRESETS[name]


PRESETS: dict[str, PromptStyle] = {
    # Phi-3-Vision's official chat template, with the CookBook's question and answer.
    "chat": PromptStyle(),
    # The Phi-3 CookBook's Burberry fine-tuning example, verbatim: no newline after the image tag
    # and none after <|end|>.
    "cookbook": PromptStyle(
        name="cookbook", prompt_template="<|user|>\n<|image_1|>{question}<|end|><|assistant|>\n"
    ),
}

# For a model never trained on our answer format (a base model, another VLM behind an endpoint): the
# question states the format field by field, so the usual parser reads the answer. `zero_shot_style`
# adds the category names a set allows; this preset alone says only "the product category".
_ZERO_SHOT_FIELD_HINTS = {
    "title": "<the product title>",
    "category3_code": "<the product category>",
    "full_price": "<the full price>",
}


def zero_shot_question(
    answer_template: str, categories: Sequence[str] = (), currency: str | None = None
) -> str:
    """The question of the zero-shot style: the exact answer layout, the allowed categories, the price form."""
    layout = answer_template.format(**_ZERO_SHOT_FIELD_HINTS)
    lines = [
        "What product is shown in this image?",
        f"Answer on one line, in exactly this format: {layout}",
    ]
    if categories:
        lines.append("The category is exactly one of: " + "; ".join(_one_line(c) for c in categories) + ".")
    unit = f" in {currency}" if currency else ""
    lines.append(f"The full price is a number{unit}, digits only, without a currency sign.")
    return "\n".join(lines)


def zero_shot_style(
    categories: Sequence[str], currency: str | None = None, base: PromptStyle | None = None
) -> PromptStyle:
    """The zero-shot preset with the set's category names (from its training split) listed in the question."""
    base = base or PRESETS["zero-shot"]
    question = zero_shot_question(base.answer_template, sorted(dict.fromkeys(categories)), currency)
    return replace(base, name="zero-shot", question=question)


PRESETS["zero-shot"] = PromptStyle(
    name="zero-shot", question=zero_shot_question(PRESETS["chat"].answer_template)
)


@dataclass(frozen=True)
class ParsedAnswer:
    """The fields read from a generated answer; None where a field could not be read."""

    title: str | None
    category: str | None
    price: float | None
    error: str | None
    currency: str | None = None  # as written by the model (e.g. "EUR", "$"), normalised to a code when known


def build_prompt(style: PromptStyle | None = None) -> str:
    """The user turn with the image placeholder, ending where the assistant's answer starts."""
    style = style or PRESETS["chat"]
    return style.prompt_template.replace("{question}", style.question)


def format_answer(title: str, category3: str, full_price: float, style: PromptStyle | None = None) -> str:
    """The answer text for one product (without the end tokens; see TARGET_SUFFIX).

    Runs of whitespace (newlines included) in title and category become one space, so every answer
    is a single line that the parser reads back exactly.
    """
    style = style or PRESETS["chat"]
    return style.answer_template.format(
        title=_one_line(title), category3_code=_one_line(category3), full_price=format_price(full_price)
    )


def build_target(title: str, category3: str, full_price: float, style: PromptStyle | None = None) -> str:
    """The training target: the answer followed by `<|end|>\\n<|endoftext|>`."""
    return format_answer(title, category3, full_price, style) + TARGET_SUFFIX


def parse_answer(text: str | None, style: PromptStyle | None = None) -> ParsedAnswer:
    """Read title, category and price from generated text; never invents a value.

    Fields are found by their labels ("Product:", "Category:", "Full Price:" or common synonyms,
    any case); a value runs to the next label or the end of the line. Errors name each field that
    could not be read, joined by "; ".
    """
    style = style or PRESETS["chat"]
    body = _strip_stop_tokens(text or "")
    if not body:
        return ParsedAnswer(None, None, None, "empty output")
    raw = _find_fields(body, style)
    if not raw:
        return ParsedAnswer(None, None, None, f"no labelled fields found in {_preview(body)}")

    errors: list[str] = []
    title = _clean_text_value(raw.get("title"))
    if title is None:
        errors.append("title: missing" if "title" not in raw else "title: empty")
    category = _clean_text_value(raw.get("category"))
    if category is None:
        errors.append("category: missing" if "category" not in raw else "category: empty")
    price: float | None = None
    currency: str | None = None
    if "price" not in raw:
        errors.append("price: missing")
    else:
        price, currency, price_error = parse_price(raw["price"])
        if price_error:
            errors.append(f"price: {price_error}")
    return ParsedAnswer(title, category, price, "; ".join(errors) or None, currency)


# --- prices -------------------------------------------------------------------------------------

_CURRENCY_SYMBOLS = {
    "US$": "USD", "C$": "CAD", "A$": "AUD", "HK$": "HKD", "S$": "SGD", "NZ$": "NZD",
    "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₩": "KRW", "₹": "INR", "₽": "RUB", "₺": "TRY",
    "CHF": "CHF", "kr": "SEK",
}  # fmt: skip
_CURRENCY_CODES = frozenset(
    [
        "USD",
        "EUR",
        "GBP",
        "JPY",
        "CNY",
        "RMB",
        "KRW",
        "INR",
        "RUB",
        "TRY",
        "CHF",
        "CAD",
        "AUD",
        "HKD",
        "SGD",
        "NZD",
        "SEK",
        "NOK",
        "DKK",
        "PLN",
        "CZK",
        "HUF",
        "AED",
        "SAR",
        "QAR",
        "KWD",
        "BRL",
        "MXN",
        "ZAR",
        "THB",
        "TWD",
        "MYR",
        "IDR",
        "PHP",
        "VND",
        "ILS",
    ]
)
# A number with thousands groups (1,234,567.89 / 1.234,50 / 1 234,50) or a plain one (1234.5 / 12,5).
_NUMBER = re.compile(
    r"(?<![\d])(-?)\s?("
    r"\d{1,3}(?:[,.'\u00a0\u202f ]\d{3})+(?!\d)(?:[.,]\d+)?"
    r"|\d+(?:[.,]\d+)?"
    r")(?!\d)(\s?[kK](?![A-Za-z]))?"  # "1.2k" is 1200
)
_CURRENCY_TOKEN = re.compile(
    r"(US\$|C\$|A\$|HK\$|S\$|NZ\$|[$€£¥₩₹₽₺]|(?<![A-Za-z])[A-Z]{3}(?![A-Za-z])|\bkr\b)", re.IGNORECASE
)


def parse_price(text: str) -> tuple[float | None, str | None, str | None]:
    """(price, currency, error) from a price field such as "$1,290.00", "1.234,50 EUR" or "1290".

    The first number is the price ("1.2k" is 1200), read by core/number_text.py: a single separator
    followed by exactly three digits is a thousands separator ("1,290" and "1.290" are both 1290) unless
    the integer part is 0 ("0.125" is 0.125); with both "," and "." the last one is the decimal mark.
    A negative number is an error, not a price.
    """
    match = _NUMBER.search(text)
    if match is None:
        return None, _find_currency(text), f"no number in {_preview(text)}"
    if match.group(1):
        return None, _find_currency(text), f"negative price in {_preview(text)}"
    # "0.125" is a fraction here (a model means what it writes), "1,290" and "1.290" are 1290.
    value = read_number(match.group(2), lone_mark="thousands_unless_zero", strict_groups=False)
    if value is None:
        return None, _find_currency(text), f"unreadable number in {_preview(text)}"
    if match.group(3):
        value = round(value * 1000, 6)
    return value, _find_currency(text), None


_CURRENCY_WORDS = {"dollar": "USD", "euro": "EUR", "pound": "GBP", "yen": "JPY", "franc": "CHF", "won": "KRW"}
_CURRENCY_WORD = re.compile(r"\b(dollar|euro|pound|yen|franc|won)s?\b", re.IGNORECASE)


def _find_currency(text: str) -> str | None:
    word = _CURRENCY_WORD.search(text)
    if word is not None:
        return _CURRENCY_WORDS[word.group(1).lower()]
    for match in _CURRENCY_TOKEN.finditer(text):
        token = match.group(1)
        if token in _CURRENCY_SYMBOLS:
            return _CURRENCY_SYMBOLS[token]
        if token.upper() in _CURRENCY_CODES:
            return token.upper()
    return None


# --- fields -------------------------------------------------------------------------------------


def _label_pattern(style: PromptStyle) -> tuple[re.Pattern[str], dict[str, FieldName]]:
    """The pattern that finds any label of the style, and the field each of its named groups stands for."""
    cached = _LABEL_PATTERNS.get(style.answer_template)
    if cached is not None:
        return cached
    alternatives: list[tuple[str, FieldName]] = []
    for name, label in _template_labels(style.answer_template).items():
        field_name = _PLACEHOLDER_FIELDS[name]
        alternatives.append((label.rstrip(":").strip(), field_name))
        alternatives.extend((synonym, field_name) for synonym in _LABEL_SYNONYMS[field_name])
    unique = dict.fromkeys(alternatives)
    # Longest first so "Full Price" wins over "Price"; named groups tell which field was found.
    ordered = sorted(unique, key=lambda pair: -len(pair[0]))
    groups = []
    field_of: dict[str, FieldName] = {}
    for i, (label, field_name) in enumerate(ordered):
        words = r"\s+".join(re.escape(word) for word in label.split())
        groups.append(f"(?P<{field_name}_{i}>{words})")
        field_of[f"{field_name}_{i}"] = field_name
    # Every label starts with one of these letters: the lookahead lets the regex engine skip quickly
    # to where a label may start (twice as fast on typical answers) and matches nothing more or less.
    first_letters = "".join(sorted({re.escape(label[0]) for label, _ in ordered}))
    pattern = re.compile(
        rf"(?=[{first_letters}])(?<![\w])(?:" + "|".join(groups) + r")\s*[:=]\s*", re.IGNORECASE
    )
    _LABEL_PATTERNS[style.answer_template] = pattern, field_of
    return pattern, field_of


_LABEL_PATTERNS: dict[str, tuple[re.Pattern[str], dict[str, FieldName]]] = {}


def _find_fields(text: str, style: PromptStyle) -> dict[FieldName, str]:
    """Field -> raw value text; the first occurrence of each label wins."""
    pattern, field_of = _label_pattern(style)
    matches = list(pattern.finditer(text))
    fields: dict[FieldName, str] = {}
    for i, match in enumerate(matches):
        assert match.lastgroup is not None  # every alternative of the pattern is a named group
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        newline = text.find("\n", match.end(), end)  # a value also ends at the end of its line
        value = text[match.end() : end if newline < 0 else newline]
        fields.setdefault(field_of[match.lastgroup], value)  # the one named group that matched
    return fields


def _clean_text_value(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().rstrip(",;|").strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'`":
        value = value[1:-1].strip()
    value = value.strip("*_").strip()  # markdown emphasis around a value
    return value or None


def _strip_stop_tokens(text: str) -> str:
    for token in _STOP_TOKENS:
        text = text.replace(token, "\n")
    return text.strip()


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _preview(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
