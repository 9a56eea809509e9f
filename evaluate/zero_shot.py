"""The zero-shot prompt for a set: the preset's question with the category names of its training split."""

from __future__ import annotations

from productlens.finetune.answer_format import PromptStyle, zero_shot_style


def style_for_set(style: PromptStyle, train) -> PromptStyle:
    """`style` unchanged unless it is the zero-shot preset; then it lists the training split's category3
    names (as written in the data) and its currency, when the split has one."""
    if style.name != "zero-shot" or train is None or len(train) == 0:
        return style
    categories = train.unique("category3_code")
    currencies = train.unique("currency_code") if "currency_code" in train.column_names else []
    currency = currencies[0] if len(currencies) == 1 and currencies[0] else None
    return zero_shot_style(categories, currency, base=style)
