"""Title similarity per sample: exact match after normalisation, token F1, ANLS and chrF.

chrF is our own implementation of sentence-level chrF as sacrebleu computes it by default
(character n-grams of order 1-6 with whitespace removed, beta 2, precision and recall averaged over
the orders both sides have), scaled to 0-1; a test checks it against sacrebleu. ANLS uses the
normalised Levenshtein distance from rapidfuzz, with the usual threshold of 0.5 (a similarity
below 0.5 counts as 0).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import numpy as np
from productlens.evaluate.aggregate import MetricSpec, scored_count
from productlens.evaluate.weighted_stats import weighted_mean
from rapidfuzz.distance import Levenshtein

ANLS_THRESHOLD = 0.5
CHRF_ORDER = 6
CHRF_BETA = 2.0
_NOT_WORD = re.compile(r"[^\w\s]")


def normalise_title(text: str) -> str:
    """Unicode NFKC, case-folded, punctuation as spaces, runs of whitespace as one space."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NOT_WORD.sub(" ", text).split())


def exact_match(predicted: str, reference: str) -> int:
    return int(normalise_title(predicted) == normalise_title(reference))


def token_f1(predicted: str, reference: str) -> float:
    """F1 of the normalised word multisets (SQuAD-style); 1.0 when both are empty."""
    return _token_f1(normalise_title(predicted), normalise_title(reference))


def anls(predicted: str, reference: str, threshold: float = ANLS_THRESHOLD) -> float:
    """1 - normalised edit distance of the normalised titles, 0 when that falls below the threshold."""
    return _anls(normalise_title(predicted), normalise_title(reference), threshold)


def _token_f1(a: str, b: str) -> float:
    predicted_tokens, reference_tokens = a.split(), b.split()
    if not predicted_tokens or not reference_tokens:
        return float(predicted_tokens == reference_tokens)
    predicted_counts, reference_counts = Counter(predicted_tokens), Counter(reference_tokens)
    common = sum(
        min(predicted_counts[token], reference_counts[token])
        for token in predicted_counts.keys() & reference_counts.keys()
    )
    if common == 0:
        return 0.0
    precision = common / len(predicted_tokens)
    recall = common / len(reference_tokens)
    return 2 * precision * recall / (precision + recall)


def _anls(a: str, b: str, threshold: float = ANLS_THRESHOLD) -> float:
    if not a and not b:
        return 1.0
    similarity = 1.0 - Levenshtein.normalized_distance(a, b)
    return similarity if similarity >= threshold else 0.0


def chrf(predicted: str, reference: str, order: int = CHRF_ORDER, beta: float = CHRF_BETA) -> float:
    """Sentence-level chrF in 0-1 (sacrebleu's default chrF divided by 100)."""
    hypothesis = "".join(predicted.split())
    target = "".join(reference.split())
    if hypothesis == target:
        return 1.0 if hypothesis else 0.0
    # One multiset of n-grams of every order: n-grams of different orders differ in length, so
    # they never collide, and one intersection gives the matches of all orders at once.
    hyp_ngrams = Counter(_ngrams(hypothesis, order))
    ref_ngrams = Counter(_ngrams(target, order))
    matches = [0] * (order + 1)
    for ngram in hyp_ngrams.keys() & ref_ngrams.keys():  # a set operation: faster than Counter's &
        hyp_count, ref_count = hyp_ngrams[ngram], ref_ngrams[ngram]
        matches[len(ngram)] += hyp_count if hyp_count < ref_count else ref_count
    factor = beta**2
    precision_sum = recall_sum = 0.0
    effective_order = 0
    for n in range(1, order + 1):
        n_hyp = max(len(hypothesis) - n + 1, 0)
        n_ref = max(len(target) - n + 1, 0)
        if n_hyp > 0 and n_ref > 0:
            precision_sum += matches[n] / n_hyp
            recall_sum += matches[n] / n_ref
            effective_order += 1
    if effective_order == 0:
        return 0.0
    precision, recall = precision_sum / effective_order, recall_sum / effective_order
    if precision + recall == 0:
        return 0.0
    return (1 + factor) * precision * recall / (factor * precision + recall)


def _ngrams(text: str, order: int) -> list[str]:
    """Character n-grams of orders 1..order (a list: Counter counts a list faster than a generator)."""
    return [text[i : i + n] for n in range(1, order + 1) for i in range(len(text) - n + 1)]


def title_scores(predicted: str | None, reference: str) -> dict[str, float | None]:
    """All title scores for one sample; None for each when the title was not parsed."""
    if predicted is None:
        return {"title_exact": None, "title_f1": None, "title_anls": None, "title_chrf": None}
    a, b = normalise_title(predicted), normalise_title(reference)
    return {
        "title_exact": int(a == b),
        "title_f1": _token_f1(a, b),
        "title_anls": _anls(a, b),
        "title_chrf": chrf(predicted, reference),
    }


def title_specs(columns: dict[str, np.ndarray], parsed: np.ndarray) -> list[MetricSpec]:
    """Aggregates of the per-sample title columns (NaN = unscored), plus exact match with failures as misses."""
    specs = [
        MetricSpec(name, label, True, weighted_mean(columns[name]), scored_count(columns[name]))
        for name, label in (
            ("title_exact", "Title exact match"),
            ("title_f1", "Title token F1"),
            ("title_anls", "Title ANLS"),
            ("title_chrf", "Title chrF"),
        )
    ]
    exact_all = np.where(np.asarray(parsed, dtype=bool), columns["title_exact"], 0.0)
    specs.append(
        MetricSpec(
            "title_exact_all",
            "Title exact match (unparsed = miss)",
            True,
            weighted_mean(exact_all),
            len(exact_all),
        )
    )
    return specs
