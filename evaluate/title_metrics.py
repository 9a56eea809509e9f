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
from collections.abc import Sequence
from typing import TypedDict

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
    predicted_set, reference_set = set(predicted_tokens), set(reference_tokens)
    if len(predicted_set) == len(predicted_tokens) and len(reference_set) == len(reference_tokens):
        common = len(predicted_set & reference_set)  # no word repeats (most titles): a set intersection
    else:
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


CHRF_BATCH = 10_000  # pairs per numpy batch in chrf_many


def chrf(predicted: str, reference: str, order: int = CHRF_ORDER, beta: float = CHRF_BETA) -> float:
    """Sentence-level chrF in 0-1 (sacrebleu's default chrF divided by 100)."""
    return float(chrf_many([predicted], [reference], order, beta)[0])


def chrf_many(
    predicted: Sequence[str], reference: Sequence[str], order: int = CHRF_ORDER, beta: float = CHRF_BETA
) -> np.ndarray:
    """`chrf` of each (predicted, reference) pair, with numpy, CHRF_BATCH pairs at a time (each pair is
    scored on its own, so the slices only bound the memory: 100,000 titles at once took ~540 MB)."""
    if len(predicted) != len(reference):
        raise ValueError(f"chrf_many: {len(predicted)} predictions for {len(reference)} references")
    parts = [
        _chrf_batch(predicted[start : start + CHRF_BATCH], reference[start : start + CHRF_BATCH], order, beta)
        for start in range(0, len(predicted), CHRF_BATCH)
    ]
    return np.concatenate(parts) if parts else np.zeros(0)


def _chrf_batch(predicted: Sequence[str], reference: Sequence[str], order: int, beta: float) -> np.ndarray:
    """`chrf` of each pair of one batch, all at once.

    The matches of order n are the sum over the distinct n-grams of a pair of the smaller of their
    counts on the two sides. Every n-gram becomes an integer key (its pair, then its characters as
    digits), one sort of both sides' keys puts equal n-grams of a pair side by side, and the counts
    per run of equal keys give the matches, so no text is looked at twice.
    """
    hypotheses = ["".join(text.split()) for text in predicted]
    targets = ["".join(text.split()) for text in reference]
    scores = np.zeros(len(hypotheses))
    identical = [h == t for h, t in zip(hypotheses, targets, strict=True)]
    scores[[i for i, same in enumerate(identical) if same and hypotheses[i]]] = 1.0
    rest = [i for i, same in enumerate(identical) if not same]
    if not rest:
        return scores
    hyp_length = np.array([len(hypotheses[i]) for i in rest], dtype=np.int64)
    ref_length = np.array([len(targets[i]) for i in rest], dtype=np.int64)
    matches = _ngram_matches([hypotheses[i] for i in rest], [targets[i] for i in rest], order)
    factor = beta**2
    precision_sum = np.zeros(len(rest))
    recall_sum = np.zeros(len(rest))
    effective_order = np.zeros(len(rest), dtype=np.int64)
    for n in range(1, order + 1):
        n_hyp = np.maximum(hyp_length - n + 1, 0)
        n_ref = np.maximum(ref_length - n + 1, 0)
        both = (n_hyp > 0) & (n_ref > 0)
        # The same float operations in the same order as one pair at a time (adding 0.0 changes nothing).
        precision_sum += np.where(both, matches[:, n - 1] / np.where(both, n_hyp, 1), 0.0)
        recall_sum += np.where(both, matches[:, n - 1] / np.where(both, n_ref, 1), 0.0)
        effective_order += both
    with np.errstate(invalid="ignore", divide="ignore"):
        precision, recall = precision_sum / effective_order, recall_sum / effective_order
        score = (1 + factor) * precision * recall / (factor * precision + recall)
    scores[rest] = np.where((effective_order > 0) & (precision + recall != 0), score, 0.0)
    return scores


def _ngram_matches(hypotheses: list[str], targets: list[str], order: int) -> np.ndarray:
    """(pairs, order) counts of character n-grams the two sides share (with multiplicity)."""
    n_pairs = len(hypotheses)
    texts = [text for pair in zip(hypotheses, targets, strict=True) for text in pair]  # h0, t0, h1, t1, ...
    lengths = np.array([len(text) for text in texts], dtype=np.int64)
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    seen = np.bincount(codes) > 0 if codes.size else np.zeros(1, dtype=bool)
    base = int(seen.sum()) + 1  # digits 1..base-1: n-grams of different length never get the same value
    digit_of = np.cumsum(seen)  # a character's digit: its rank among the characters used
    digits = np.append(digit_of[codes], np.zeros(order, dtype=np.int64))
    text_of = np.repeat(np.arange(lengths.size), lengths)
    room = np.repeat(np.cumsum(lengths), lengths) - np.arange(text_of.size)  # characters from here to the end
    pair_of, is_target = text_of >> 1, text_of & 1
    matches = np.zeros((n_pairs, order), dtype=np.int64)
    value = np.zeros(text_of.size, dtype=np.int64)
    candidates = np.arange(text_of.size)  # where an n-gram may match: its (n-1)-gram prefix did
    for n in range(1, order + 1):
        if value.max(initial=0) >= (2**62 - base) // base:  # keep every value in 62 bits: rank them
            value = np.unique(value, return_inverse=True)[1].astype(np.int64)
        value = value * base + digits[n - 1 : n - 1 + value.size]
        candidates = candidates[room[candidates] >= n]
        if candidates.size == 0:
            break
        grams = value[candidates]
        if grams.max() >= 2**61 // n_pairs:
            grams = np.unique(grams, return_inverse=True)[1].astype(np.int64)
        span = int(grams.max()) + 1
        # Key: pair, then n-gram value, then the side (0 hypothesis, 1 target) in the lowest bit. The
        # candidates are in text order, so the keys come in runs per pair, which a stable sort merges fast.
        keys = (pair_of[candidates] * span + grams) * 2 + is_target[candidates]
        by_key = np.argsort(keys, kind="stable")
        keys = keys[by_key]
        gram_keys = keys >> 1
        starts = np.flatnonzero(np.r_[True, gram_keys[1:] != gram_keys[:-1]])
        on_target = np.add.reduceat(keys & 1, starts)
        on_hypothesis = np.diff(np.r_[starts, keys.size]) - on_target
        shared = np.minimum(on_target, on_hypothesis)
        matches[:, n - 1] = np.bincount(gram_keys[starts] // span, weights=shared, minlength=n_pairs)
        alive = np.zeros(text_of.size, dtype=bool)
        alive[candidates[by_key[np.repeat(shared > 0, np.diff(np.r_[starts, keys.size]))]]] = True
        candidates = np.flatnonzero(alive)
    return matches


class TitleScores(TypedDict):
    """The title part of a RowScores (core/results_schema.py)."""

    title_exact: int | None
    title_f1: float | None
    title_anls: float | None
    title_chrf: float | None


def title_scores(predicted: str | None, reference: str, with_chrf: bool = True) -> TitleScores:
    """All title scores for one sample; None for each when the title was not parsed.

    with_chrf=False leaves title_chrf None, for a caller that scores many titles with `chrf_many`.
    """
    if predicted is None:
        return {"title_exact": None, "title_f1": None, "title_anls": None, "title_chrf": None}
    a, b = normalise_title(predicted), normalise_title(reference)
    return {
        "title_exact": int(a == b),
        "title_f1": _token_f1(a, b),
        "title_anls": _anls(a, b),
        "title_chrf": chrf(predicted, reference) if with_chrf else None,
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
