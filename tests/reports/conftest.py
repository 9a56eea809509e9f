"""A hand-made evaluation (results.json dict, prediction records, thumbnails) that touches every report section.

Parsed and unparsed rows, right and wrong answers, three categories plus a predicted-only one,
baselines, provenance with settings and versions, and a comparison of two runs.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image

CATEGORIES = {
    "SHIRTS": ("MEN", "CLOTHING"),
    "COATS": ("WOMEN", "CLOTHING"),
    "SCARVES": ("WOMEN", "ACCESSORIES"),
}


def bare_results(name="bare", n=0, metrics=None, **extra) -> dict:
    """Results with only the keys the contract (core/results_schema.Results) requires, empty where it can be."""
    return {
        "schema": 1,
        "name": name,
        "n": n,
        "metrics": metrics or {},
        "baselines": {},
        "per_category": {},
        "confusion": {"labels": [], "matrix": [], "columns": ["(unparsed)"]},
        "provenance": {
            "model": "tiny",
            "adapter": None,
            "data": "data/products",
            "data_fingerprint": "3f2a9c0d5e7b41aa",
            "split": "test",
            "settings": {},
            "versions": {},
            "created": "2026-11-25T08:00:00+00:00",
        },
        "timings": {"generation_s": None, "scoring_s": 0.01},
        "currency": None,
        **extra,
    }


def cost(absent=None, **figures) -> dict:
    """A Cost as evaluate writes it: every figure present, None where not measured."""
    empty = dict.fromkeys(
        ("wall_s", "samples_per_s", "prompt_tokens_per_sample", "generated_tokens_per_sample"), None
    )
    hardware = dict.fromkeys(("tokens_from", "device", "dtype", "batch_size", "peak_memory_gb"), None)
    return {"source": "model", "absent": absent, "samples": 0, **empty, **hardware, **figures}


def metric(value, low, high, n, higher=True, label=""):
    return {
        "value": value,
        "ci_low": low,
        "ci_high": high,
        "n": n,
        "higher_is_better": higher,
        "label": label,
    }


def record(sample_id, title, category, price, generated, parsed=None, scores=None, parse_error=None):
    level1, level2 = CATEGORIES[category]
    parsed = parsed or {"title": None, "category": None, "price": None}
    unscored = {
        "parsed": False,
        "title_exact": None,
        "title_f1": None,
        "title_anls": None,
        "category3_correct": None,
        "price_abs_error": None,
        "price_ape": None,
        "price_log_error": None,
    }
    return {
        "id": sample_id,
        "generated": generated,
        "parsed": parsed,
        "parse_error": parse_error,
        "reference": {
            "title": title,
            "category1": level1,
            "category2": level2,
            "category3": category,
            "price": price,
            "currency": "USD",
            "oracle_price": price * 0.98,
        },
        "scores": {**unscored, **(scores or {})},
    }


def answered(sample_id, title, category, price, said_title, said_category, said_price, title_f1=1.0):
    import math

    exact = int(said_title == title)
    ape = abs(said_price - price) / price
    return record(
        sample_id,
        title,
        category,
        price,
        f"Product: {said_title}, Category: {said_category}, Full Price: {said_price:g}",
        parsed={"title": said_title, "category": said_category, "price": said_price},
        scores={
            "parsed": True,
            "title_exact": exact,
            "title_f1": 1.0 if exact else title_f1,
            "title_anls": 1.0 if exact else title_f1,
            "category3_correct": int(said_category == category),
            "price_abs_error": abs(said_price - price),
            "price_ape": ape,
            "price_log_error": math.log1p(said_price) - math.log1p(price),
        },
    )


@pytest.fixture
def fake_predictions() -> list[dict]:
    return [
        answered("P001", "Check Cotton Shirt", "SHIRTS", 590.0, "Check Cotton Shirt", "SHIRTS", 600.0),
        answered("P002", "Heritage Trench Coat", "COATS", 2190.0, "Heritage Trench Coat", "COATS", 1990.0),
        answered("P003", "Monogram Silk Scarf", "SCARVES", 450.0, "Silk Scarf", "SCARVES", 520.0, 0.8),
        answered("P004", "Quilted Jacket", "COATS", 1290.0, "Quilted Jacket", "HATS", 2600.0),
        answered("P005", "Vintage Check Scarf", "SCARVES", 420.0, "Wool Hat", "SHIRTS", 150.0, 0.0),
        answered("P006", "Oxford Shirt", "SHIRTS", 490.0, "Oxford Shirt", "SHIRTS", 495.0),
        record(
            "P007", "Cashmere Scarf", "SCARVES", 690.0, "I cannot tell.", parse_error="no 'Product:' field"
        ),
        record("P008", "Car Coat", "COATS", 1890.0, "", parse_error="empty answer"),
        record(
            "P009",
            "Poplin Shirt",
            "SHIRTS",
            390.0,
            "Product: Poplin Shirt, Category: SHIRTS",
            parsed={"title": "Poplin Shirt", "category": "SHIRTS", "price": None},
            scores={"title_exact": 1, "title_f1": 1.0, "title_anls": 1.0, "category3_correct": 1},
            parse_error="no 'Full Price:' field",
        ),
    ]


@pytest.fixture
def fake_results() -> dict:
    price_baseline = {
        "price_mdape": metric(0.41, 0.30, 0.52, 6, False, "Price median APE"),
        "price_within_10pct": metric(0.17, 0.0, 0.5, 6, True, "Price within 10 %"),
    }
    return {
        "schema": 1,
        "name": "tiny-lora-eval",
        "n": 9,
        "metrics": {
            "parse_rate": metric(0.667, 0.333, 0.889, 9, True, "Answers fully parsed"),
            "category3_accuracy": metric(0.714, 0.429, 1.0, 7, True, "Category3 accuracy"),
            "category3_accuracy_all": metric(
                0.556, 0.222, 0.889, 9, True, "Category3 accuracy (unparsed = miss)"
            ),
            "category3_macro_f1": metric(0.62, 0.35, 0.9, 7, True, "Category3 macro-F1"),
            "price_mae": metric(317.5, 85.0, 640.0, 6, False, "Price MAE"),
            "price_mdape": metric(0.061, 0.010, 0.56, 6, False, "Price median APE"),
            "price_within_10pct": metric(0.5, 0.167, 0.833, 6, True, "Price within 10 %"),
            "price_rmsle": metric(0.41, 0.12, 0.70, 6, False, "Price RMSLE"),
            "title_exact": metric(0.714, 0.429, 1.0, 7, True, "Title exact match"),
            "title_f1": metric(0.829, 0.6, 1.0, 7, True, "Title token F1"),
            "title_anls": metric(None, None, None, 0, True, "Title ANLS"),
            # every title of P007/P008 unparsed, yet the same value: a copy the reports leave out
            "title_anls_all": metric(None, None, None, 9, True, "Title ANLS (unparsed = miss)"),
        },
        "baselines": {
            "train_median_price": {"label": "Training median price", "metrics": price_baseline},
            "category_median_price": {
                "label": "Median price of the true category (oracle)",
                "metrics": {
                    "price_mdape": metric(0.09, 0.05, 0.2, 6, False, "Price median APE"),
                    "price_within_10pct": metric(0.55, 0.2, 0.9, 6, True, "Price within 10 %"),
                },
            },
            "oracle_price": {
                "label": "Noise floor (price before noise)",
                "metrics": {
                    "price_mdape": metric(0.02, 0.01, 0.03, 6, False, "Price median APE"),
                    "price_within_10pct": metric(0.95, 0.8, 1.0, 6, True, "Price within 10 %"),
                },
            },
            "majority_category": {
                "label": "Majority category (SHIRTS)",
                "metrics": {"category3_accuracy": metric(0.333, 0.111, 0.667, 9, True, "Category3 accuracy")},
            },
        },
        "per_category": {
            "SHIRTS": {"n": 3, "accuracy": 1.0, "price_mdape": 0.017},
            "COATS": {"n": 3, "accuracy": 0.5, "price_mdape": 0.5},
            "SCARVES": {"n": 3, "accuracy": 0.5, "price_mdape": None},
        },
        "confusion": {
            "labels": ["COATS", "SCARVES", "SHIRTS", "HATS"],
            "matrix": [[1, 0, 0, 1, 1], [0, 1, 1, 0, 1], [0, 0, 3, 0, 0], [0, 0, 0, 0, 0]],
            "columns": ["COATS", "SCARVES", "SHIRTS", "HATS", "(unparsed)"],
        },
        "provenance": {
            "model": "tiny",
            "adapter": "runs/tiny-lora/adapter",
            "data": "data/products",
            "data_fingerprint": "3f2a9c0d5e7b41aa",
            "split": "test",
            # as evaluate writes them: every option, also the endpoint ones a local model never used
            "settings": {
                "max_new_tokens": 48,
                "batch_size": 8,
                "num_crops": 1,
                "run": "runs/tiny-lora",
                "endpoint": None,
                "model_name": None,
                "concurrency": 8,
                "timeout_s": 120.0,
                "retries": 3,
                "prompt_style": None,
            },
            "training": {
                "run": "runs/tiny-lora",
                "method": "lora",
                "base_model": "tiny",
                "data": "data/products",
                "train_samples": 4200,
                "global_step": 60,
                "train_runtime_s": 229.4,
                "config": {"learning_rate": 0.0005, "epochs": 12, "batch_size": 8, "lora_r": 64},
                "loss_history": [{"step": s, "loss": 3.0 / (1 + s / 10)} for s in range(5, 65, 5)],
                "eval_history": [
                    {"step": 30, "val_parse_rate": 0.9, "val_category3_accuracy": 0.4, "val_n": 16},
                    {"step": 60, "val_parse_rate": 1.0, "val_category3_accuracy": 0.7, "val_n": 16},
                ],
                "command": "finetune --model tiny --method lora",
            },
            "prompt": {
                "name": "chat",
                "question": "What is shown in this image?",
                "prompt_template": "<|user|>\n<|image_1|>\n{question}<|end|>\n<|assistant|>\n",
                "answer_template": "Product: {title}, Category: {category3_code}, Full Price: {full_price}",
                "prompt": "<|user|>\n<|image_1|>\nWhat is shown in this image?<|end|>\n<|assistant|>\n",
                "used_for": "generation and parsing",
            },
            "versions": {"productlens": "0.1.0", "transformers": "5.24.0"},
            "created": "2026-11-25T08:00:00+00:00",
        },
        "timings": {"generation_s": 12.5, "scoring_s": 0.04},
        "currency": "USD",
    }


def jpeg(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def fake_thumbnails(fake_predictions) -> dict[str, bytes]:
    """A thumbnail for every sample but the last (which shows the no-image placeholder)."""
    return {r["id"]: jpeg((40 * i % 256, 90, 160)) for i, r in enumerate(fake_predictions[:-1])}


@pytest.fixture
def fake_compare(fake_results, fake_predictions) -> dict:
    second = {**fake_results, "name": "tiny-full-eval", "metrics": dict(fake_results["metrics"])}
    second["metrics"]["parse_rate"] = metric(0.889, 0.667, 1.0, 9, True, "Answers fully parsed")
    worse, better = fake_predictions[4], fake_predictions[6]
    return {
        "runs": [fake_results, second],
        "differences": {
            "parse_rate": [
                {"vs": "tiny-full-eval", "delta": 0.222, "ci_low": 0.0, "ci_high": 0.444, "n_shared": 9}
            ],
            "price_mdape": [
                {"vs": "tiny-full-eval", "delta": -0.03, "ci_low": -0.05, "ci_high": -0.01, "n_shared": 9}
            ],
            "title_f1": [
                {"vs": "tiny-full-eval", "delta": -0.1, "ci_low": -0.2, "ci_high": -0.02, "n_shared": 9}
            ],
        },
        "disagreements": [
            {
                "id": better["id"],
                "reference": better["reference"],
                "answers": {
                    "tiny-lora-eval": {"generated": better["generated"], "scores": better["scores"]},
                    "tiny-full-eval": {
                        "generated": "Product: Cashmere Scarf, Category: SCARVES, Full Price: 690",
                        "scores": fake_predictions[0]["scores"],
                    },
                },
            },
            {
                "id": worse["id"],
                "reference": worse["reference"],
                "answers": {"tiny-lora-eval": {"generated": worse["generated"], "scores": worse["scores"]}},
            },
        ],
    }


class Node:
    """An element of a parsed page: tag, attributes, children, and its own text pieces."""

    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node] = []
        self.content: list[str | Node] = []  # text and child elements in document order

    def iter(self):
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs) -> list[Node]:
        found = []
        for node in self.iter():
            if tag is not None and node.tag != tag:
                continue
            if all(
                (value in (node.attrs.get(key.rstrip("_")) or "").split())
                if key.rstrip("_") == "class"
                else node.attrs.get(key.rstrip("_").replace("_", "-")) == value
                for key, value in attrs.items()
            ):
                found.append(node)
        return found

    def find(self, tag: str | None = None, **attrs) -> Node:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag}> with {attrs}"
        return found[0]

    @property
    def text(self) -> str:
        """textContent: all text inside, in order."""
        return "".join(part if isinstance(part, str) else part.text for part in self.content)

    @property
    def words(self) -> str:
        """The text with element boundaries as spaces and whitespace collapsed (what a reader sees)."""
        pieces = [part if isinstance(part, str) else part.words for part in self.content]
        return " ".join(" ".join(pieces).split())


VOID = {"meta", "img", "input", "br", "hr", "link", "source", "col", "wbr"}


def parse_page(document: str) -> Node:
    """A small DOM from html.parser (the standard library): enough to assert on structure."""
    from html.parser import HTMLParser

    root = Node("#document", {}, None)

    class Builder(HTMLParser):
        current = root

        def handle_starttag(self, tag, attrs):
            node = Node(tag, dict(attrs), self.current)
            self.current.children.append(node)
            self.current.content.append(node)
            if tag not in VOID:
                self.current = node

        def handle_startendtag(self, tag, attrs):
            node = Node(tag, dict(attrs), self.current)
            self.current.children.append(node)
            self.current.content.append(node)

        def handle_endtag(self, tag):
            node = self.current
            while node is not root and node.tag != tag:
                node = node.parent
            if node is not root:
                self.current = node.parent

        def handle_data(self, data):
            self.current.content.append(data)

    builder = Builder(convert_charrefs=True)
    builder.feed(document)
    builder.close()
    return root
