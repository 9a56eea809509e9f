"""Predictions from an OpenAI-compatible chat-completions server (vLLM serves Phi-3-Vision this way).

Each sample is one request: the image as a data URL and the prompt style's question, greedy
(temperature 0). Requests run `concurrency` at a time; connection errors, timeouts, 429 and 5xx
answers are retried with exponential back-off. Results are appended to predictions.jsonl one batch
at a time (flushed), so an interrupted run resumes where it stopped; a request that still fails
after its retries stops the run with an error naming the sample, after its batch's successes are saved.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice

import requests
from productlens.core.results_schema import Reference
from productlens.evaluate.predictions_io import PredictionWriter
from productlens.finetune.answer_format import PromptStyle

RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})


class EndpointError(RuntimeError):
    """A request failed for good (after retries, or with an answer retrying cannot fix)."""


@dataclass(frozen=True)
class EndpointConfig:
    """Where to send requests and how hard to try."""

    url: str = field(
        metadata={"help": "Server base URL (e.g. http://host:8000/v1) or its /chat/completions URL."}
    )
    model_name: str = field(
        metadata={"help": "The model name the server knows (the `model` field of a request)."}
    )
    concurrency: int = field(default=8, metadata={"help": "Requests in flight at once."})
    timeout_s: float = field(default=120.0, metadata={"help": "Seconds to wait for one answer."})
    retries: int = field(default=3, metadata={"help": "Retries after a failed attempt (timeouts, 429, 5xx)."})
    backoff_s: float = field(default=1.0, metadata={"help": "First retry delay; doubles each retry."})
    max_new_tokens: int = field(default=64, metadata={"help": "max_tokens of each request."})
    api_key: str | None = field(
        default=None, metadata={"help": "Bearer token; None sends no Authorization header."}
    )

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(f"endpoint URL must start with http:// or https://; got {self.url!r}")
        if self.concurrency < 1 or self.retries < 0 or self.timeout_s <= 0:
            raise ValueError("concurrency must be >= 1, retries >= 0 and timeout > 0")

    @property
    def completions_url(self) -> str:
        url = self.url.rstrip("/")
        return url if url.endswith("/chat/completions") else f"{url}/chat/completions"


@dataclass(frozen=True)
class Sample:
    """One sample to ask about: its id, encoded image bytes and reference fields."""

    id: str
    image: bytes
    reference: Reference


def image_data_url(image: bytes) -> str:
    """A data URL for encoded image bytes, with the MIME type read from the file signature."""
    if image.startswith(b"\x89PNG"):
        mime = "image/png"
    elif image.startswith(b"\xff\xd8"):
        mime = "image/jpeg"
    elif image[:4] == b"RIFF" and image[8:12] == b"WEBP":
        mime = "image/webp"
    else:
        raise ValueError("image bytes are neither PNG, JPEG nor WebP")
    return f"data:{mime};base64,{base64.b64encode(image).decode('ascii')}"


def chat_request(image: bytes, style: PromptStyle, config: EndpointConfig) -> dict:
    """The JSON body of one chat-completions request (the server applies its own chat template)."""
    return {
        "model": config.model_name,
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "image_url", "image_url": {"url": image_data_url(image)}},
                    {"type": "text", "text": style.question},
                ],
            }
        ],
        "max_tokens": config.max_new_tokens,
        "temperature": 0.0,
    }


def complete(session: requests.Session, sample: Sample, style: PromptStyle, config: EndpointConfig) -> str:
    """The generated text for one sample, retrying what retrying can fix."""
    return complete_with_usage(session, sample, style, config)[0]


def complete_with_usage(
    session: requests.Session, sample: Sample, style: PromptStyle, config: EndpointConfig
) -> tuple[str, int | None, int | None]:
    """(generated text, prompt tokens, completion tokens) for one sample; the counts are the server's
    `usage` (None where it sends none)."""
    headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
    body = chat_request(sample.image, style, config)
    last_problem = ""
    for attempt in range(config.retries + 1):
        if attempt:
            time.sleep(config.backoff_s * 2 ** (attempt - 1))
        try:
            response = session.post(
                config.completions_url, json=body, headers=headers, timeout=config.timeout_s
            )
        except (requests.ConnectionError, requests.Timeout) as error:
            last_problem = f"{type(error).__name__}: {error}"
            continue
        if response.status_code in RETRY_STATUS:
            last_problem = f"HTTP {response.status_code}: {response.text[:200]}"
            continue
        if response.status_code != 200:
            raise EndpointError(
                f"sample {sample.id}: {config.completions_url} answered HTTP {response.status_code}: "
                f"{response.text[:300]} (check --model-name and the server's log)"
            )
        try:
            answer = response.json()
            text = answer["choices"][0]["message"]["content"] or ""
        except (ValueError, KeyError, IndexError, TypeError):
            raise EndpointError(
                f"sample {sample.id}: the answer is not a chat completion: {response.text[:300]}"
            ) from None
        usage = answer.get("usage") if isinstance(answer.get("usage"), dict) else {}
        return text, _token_count(usage.get("prompt_tokens")), _token_count(usage.get("completion_tokens"))
    raise EndpointError(
        f"sample {sample.id}: no answer from {config.completions_url} after {config.retries + 1} attempts "
        f"({last_problem}); rerun the same command to resume"
    )


def generate_with_endpoint(
    samples: Iterable[Sample],
    writer: PredictionWriter,
    config: EndpointConfig,
    style: PromptStyle,
    batch_size: int | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Ask the server about every sample, appending {id, generated, reference, usage} per batch; returns the count.

    `samples` should already leave out ids present in the predictions file (resume).
    """
    batch_size = batch_size or config.concurrency * 4
    done = 0
    sessions = threading.local()  # one Session (connection pool) per worker thread

    def ask(sample: Sample) -> tuple[str, int | None, int | None]:
        if not hasattr(sessions, "session"):
            sessions.session = requests.Session()
        return complete_with_usage(sessions.session, sample, style, config)

    with ThreadPoolExecutor(max_workers=config.concurrency) as pool:
        for batch in _batches(samples, batch_size):
            started = time.perf_counter()
            futures = [pool.submit(ask, sample) for sample in batch]
            answers, failure = [], None
            for sample, future in zip(batch, futures, strict=True):
                try:
                    answers.append((sample, *future.result()))
                except EndpointError as error:
                    failure = failure or error
            # The batch's wall time shared by its answers: with requests in flight together, per-request
            # latencies would add up to more than the time the batch took.
            seconds = round((time.perf_counter() - started) / max(len(batch), 1), 6)
            records = [
                {
                    "id": sample.id,
                    "generated": generated,
                    "reference": sample.reference,
                    "usage": {"prompt_tokens": prompt, "generated_tokens": new, "seconds": seconds},
                }
                for sample, generated, prompt, new in answers
            ]
            writer.write_batch(records)
            done += len(records)
            if on_batch is not None:
                on_batch(len(records))
            if failure is not None:
                raise failure
    return done


def _token_count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _batches(items: Iterable[Sample], size: int) -> Iterator[list[Sample]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
