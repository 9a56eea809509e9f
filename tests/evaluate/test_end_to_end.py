"""The whole chain on the CPU: generated set -> a few finetune steps on tiny -> `evaluate --run ... --report html`."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from productlens.core.sample_set import load_sample_set
from productlens.evaluate.cli import main
from productlens.evaluate.predictions_io import read_predictions
from productlens.finetune.config import FinetuneConfig
from productlens.finetune.recipe import run_finetune

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class ReportParser(HTMLParser):
    """Checks that every element is closed in order, and collects the gallery's sample cards."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.errors: list[str] = []
        self.ids: list[str] = []  # id attributes of every element
        self.gallery_cards: list[str] = []  # data-id of article.sample inside #gallery
        self.external: list[str] = []  # src/href values a browser would fetch from elsewhere
        self._gallery_depth: int | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in ("src", "href", "xlink:href", "action"):
            if (attributes.get(name) or "").startswith(("http:", "https:", "//")):
                self.external.append(attributes[name])
        if attributes.get("id"):
            self.ids.append(attributes["id"])
        is_card = tag == "article" and "sample" in (attributes.get("class") or "").split()
        if is_card and self._gallery_depth is not None:
            self.gallery_cards.append(attributes.get("data-id", ""))
        if tag in VOID:
            return
        self.open.append(tag)
        if attributes.get("id") == "gallery":
            self._gallery_depth = len(self.open)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.open[-1] if self.open else None}>")
            return
        if self._gallery_depth == len(self.open):
            self._gallery_depth = None
        self.open.pop()


def train(sample_set, output, **overrides):
    settings = dict(max_steps=4, batch_size=8, eval_steps=0, save_steps=4, logging_steps=1, warmup_ratio=0.0)
    return run_finetune(FinetuneConfig(data=sample_set, output=output, **{**settings, **overrides})).run_dir


@pytest.fixture(scope="module")
def trained_run(sample_set, tmp_path_factory):
    """A tiny run from a few full-training steps (the tiny preset's default method: weights in merged/)."""
    return train(sample_set, tmp_path_factory.mktemp("runs") / "tiny")


def evaluate(*args):
    return CliRunner().invoke(main, [str(arg) for arg in args])


@pytest.mark.slow
def test_evaluate_a_trained_run_writes_predictions_results_and_an_html_report(
    sample_set, trained_run, tmp_path
):
    out = tmp_path / "evals" / "tiny"
    args = ["--run", trained_run, "--data", sample_set, "--out", out, "--report", "html"]
    args += ["--max-new-tokens", 24, "--batch-size", 8, "--bootstrap", 200]
    result = evaluate(*args)
    assert result.exit_code == 0, result.output
    assert f"Report: {out / 'report.html'}" in result.output

    test_ids = load_sample_set(sample_set)["test"]["product_code"]
    records = read_predictions(out / "predictions.jsonl")
    assert [record["id"] for record in records] == test_ids
    assert all(isinstance(record["generated"], str) and "scores" in record for record in records)

    results = json.loads((out / "results.json").read_text())
    assert results["n"] == len(test_ids)
    assert results["provenance"]["model"] == str(trained_run)
    assert results["timings"]["generation_s"] > 0
    assert 0.0 <= results["metrics"]["parse_rate"]["value"] <= 1.0

    page = (out / "report.html").read_text(encoding="utf-8")
    parser = ReportParser()
    parser.feed(page)
    parser.close()
    assert parser.errors == [] and parser.open == []
    assert parser.gallery_cards == test_ids  # one card per test sample
    assert parser.external == []  # self-contained: nothing to fetch


@pytest.mark.slow
def test_a_lora_run_and_its_base_model_with_the_adapter_give_the_same_answers(sample_set, tmp_path):
    run = train(
        sample_set, tmp_path / "runs" / "lora", method="lora", vision="frozen", lora_r=8, learning_rate=5e-3
    )
    assert (run / "adapter" / "adapter_config.json").is_file() and not (run / "merged").exists()
    common = [
        "--data",
        sample_set,
        "--report",
        "none",
        "--max-new-tokens",
        12,
        "--bootstrap",
        0,
        "--limit",
        6,
    ]
    from_run = evaluate("--run", run, "--out", tmp_path / "run", *common)
    from_adapter = evaluate(
        "--model", "tiny", "--adapter", run / "adapter", "--out", tmp_path / "adapter", *common
    )
    assert from_run.exit_code == 0, from_run.output
    assert from_adapter.exit_code == 0, from_adapter.output
    answers = [(r["id"], r["generated"]) for r in read_predictions(tmp_path / "run" / "predictions.jsonl")]
    assert len(answers) == 6 and any(text for _, text in answers)
    assert answers == [
        (r["id"], r["generated"]) for r in read_predictions(tmp_path / "adapter" / "predictions.jsonl")
    ]
