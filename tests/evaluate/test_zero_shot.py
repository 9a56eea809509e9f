"""The zero-shot prompt: states the answer format, lists exactly the training split's categories, parses back."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from productlens.core.sample_set import load_sample_set
from productlens.evaluate.config import EvaluateConfig
from productlens.evaluate.evaluation import run_evaluation
from productlens.evaluate.zero_shot import style_for_set
from productlens.finetune.answer_format import PRESETS, build_prompt, format_answer, parse_answer


@pytest.fixture(scope="module")
def zero_shot(eval_set):
    return style_for_set(PRESETS["zero-shot"], load_sample_set(eval_set)["train"])


def listed_categories(question: str) -> list[str]:
    line = next(line for line in question.splitlines() if line.startswith("The category is exactly one of: "))
    return line.removeprefix("The category is exactly one of: ").removesuffix(".").split("; ")


def test_the_question_lists_exactly_the_training_categories(zero_shot, eval_set):
    train = load_sample_set(eval_set)["train"]
    assert listed_categories(zero_shot.question) == sorted(set(train["category3_code"]))
    assert "Answer on one line, in exactly this format: Product: <the product title>, " in zero_shot.question
    assert "Category: <the product category>, Full Price: <the full price>" in zero_shot.question
    assert "a number in USD, digits only" in zero_shot.question
    assert zero_shot.question in build_prompt(zero_shot)
    assert build_prompt(zero_shot).startswith("<|user|>\n<|image_1|>\n")


def test_other_styles_are_left_alone(eval_set):
    train = load_sample_set(eval_set)["train"]
    assert style_for_set(PRESETS["chat"], train) is PRESETS["chat"]


@settings(max_examples=100, deadline=None)
@given(
    title=st.lists(
        st.text(alphabet="abcdefghijKLMNOP-&/()", min_size=1, max_size=8), min_size=1, max_size=5
    ).map(" ".join),
    cents=st.integers(min_value=0, max_value=10**8),
    category=st.sampled_from(["SHIRTS", "COATS", "SCARVES"]),
)
def test_zero_shot_answers_round_trip_through_the_parser(zero_shot, title, cents, category):
    price = cents / 100
    parsed = parse_answer(format_answer(title, category, price, zero_shot), zero_shot)
    assert parsed.error is None
    assert (parsed.title, parsed.category, parsed.price) == (title, category, pytest.approx(price, abs=1e-9))


def test_a_base_models_loose_answer_is_read(zero_shot):
    parsed = parse_answer(
        "Sure! Product: **Heritage Trench Coat**, Category: COATS, Full Price: $2,190.00", zero_shot
    )
    assert (parsed.title, parsed.category, parsed.price, parsed.currency) == (
        "Heritage Trench Coat",
        "COATS",
        2190.0,
        "USD",
    )


def test_the_zero_shot_question_is_what_the_model_is_asked(tmp_path, eval_set, monkeypatch):
    asked = []

    def fake_generate(config, style, todo, writer, on_progress, hardware=None):
        asked.append(style)

    monkeypatch.setattr("productlens.evaluate.evaluation._generate", fake_generate)
    config = EvaluateConfig(
        data=eval_set, model="tiny", out=tmp_path / "e", prompt_style="zero-shot", n_resamples=0
    )
    with pytest.raises(ValueError, match="none of the 0 predictions"):
        run_evaluation(config)  # nothing was generated: the point is what it would have asked
    assert listed_categories(asked[0].question) == ["COATS", "SCARVES", "SHIRTS"]
    assert re.search(r"Full Price: <the full price>", asked[0].question)
