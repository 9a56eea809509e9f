"""evaluate --ablate: a model that reads the photo passes, one that ignores it gets the warning."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import datasets
import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image
from productlens.core.sample_set import load_sample_set
from productlens.evaluate.ablation import blank_image, derangement, parse_ablate
from productlens.evaluate.cli import main
from productlens.evaluate.predictions_io import read_predictions
from productlens.evaluate.scoring import evaluate_records
from productlens.evaluate.training_stats import TrainingStats
from productlens.finetune.answer_format import format_answer

CONSTANT = format_answer("Black Leather Belt", "BELTS", 390)


class ChatServer:
    """A chat-completions server on 127.0.0.1 whose answer is `answer(image bytes)`; counts requests."""

    def __init__(self, answer):
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                url = body["messages"][0]["content"][0]["image_url"]["url"]
                server.requests += 1
                text = answer(base64.b64decode(url.split(",", 1)[1]))
                data = json.dumps({"choices": [{"message": {"content": text}}]}).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def photo_answers(sample_set):
    """sha256 of each test photo -> the true answer of its product."""
    split = load_sample_set(sample_set)["test"].cast_column("image", datasets.Image(decode=False))
    return {
        hashlib.sha256(row["image"]["bytes"]).hexdigest(): format_answer(
            row["title"], row["category3_code"], row["full_price"]
        )
        for row in split
    }


def evaluate_with(sample_set, out, answer, server=None):
    own = server is None
    server = server or ChatServer(answer)
    asked = server.requests
    try:
        args = ["--data", sample_set, "--endpoint", server.url, "--model-name", "fake", "--out", out]
        args += ["--bootstrap", "200", "--ablate", "blank,shuffle", "--report", "html"]
        result = CliRunner().invoke(main, [str(arg) for arg in args], env={"COLUMNS": "80"})
    finally:
        if own:
            server.close()
    assert result.exit_code == 0, result.output
    return result.output, json.loads((out / "results.json").read_text()), server.requests - asked


def test_a_model_that_reads_the_photo_passes_and_follows_the_shuffled_photo(
    sample_set, tmp_path, photo_answers
):
    reader = lambda image: photo_answers.get(hashlib.sha256(image).hexdigest(), CONSTANT)  # noqa: E731
    server = ChatServer(reader)
    printed, results, requests = evaluate_with(sample_set, tmp_path / "e", reader, server)
    n = results["n"]
    assert requests == 3 * n  # the photo, a blank image, another sample's photo
    ablation = results["ablation"]
    assert ablation["reads_image"] is True
    blank, shuffle = ablation["runs"]["blank"], ablation["runs"]["shuffle"]
    gap = blank["differences"]["category3_accuracy_all"]
    assert gap["delta"] == pytest.approx(1.0 - blank["metrics"]["category3_accuracy_all"]["value"])
    assert 0 < gap["ci_low"] <= gap["delta"] <= gap["ci_high"]
    assert shuffle["follows_image"]["value"] == 1.0 and shuffle["keeps_own"]["value"] == 0.0
    assert "Reads the photo: category3 accuracy 100.0% with the photo" in " ".join(printed.split())
    html = (tmp_path / "e" / "report.html").read_text()
    assert 'id="image-check"' in html and 'class="ablation good"' in html

    # Kept and resumable: the answers of each ablation are on disk and a rerun asks nothing again.
    assert len(read_predictions(tmp_path / "e" / "ablation-blank" / "predictions.jsonl")) == n
    _, again, requests = evaluate_with(sample_set, tmp_path / "e", reader, server)
    server.close()
    assert requests == 0 and again["ablation"] == ablation

    # Re-scored without a model, the saved ablation answers are scored again (they say which photo was shown).
    shown = read_predictions(tmp_path / "e" / "ablation-shuffle" / "predictions.jsonl")
    assert all(r["image_of"] != r["id"] for r in shown)
    args = [
        "--predictions",
        tmp_path / "e" / "predictions.jsonl",
        "--data",
        sample_set,
        "--out",
        tmp_path / "r",
    ]
    rescored = CliRunner().invoke(main, [str(a) for a in [*args, "--bootstrap", "200", "--report", "none"]])
    assert rescored.exit_code == 0, rescored.output
    assert json.loads((tmp_path / "r" / "results.json").read_text())["ablation"] == ablation


def test_a_model_that_ignores_its_image_gets_the_warning(sample_set, tmp_path):
    printed, results, _ = evaluate_with(sample_set, tmp_path / "e", lambda image: CONSTANT)
    ablation = results["ablation"]
    assert ablation["reads_image"] is False
    for run in ablation["runs"].values():
        gap = run["differences"]["category3_accuracy_all"]
        assert gap["ci_low"] <= 0 <= gap["ci_high"]
    assert "Warning: the model's answers do not depend on the image" in " ".join(printed.split())
    html = (tmp_path / "e" / "report.html").read_text()
    assert 'class="ablation warning"' in html and "do not depend on the image" in html


def test_ablated_answers_are_scored_on_the_same_resamples(sample_set, tmp_path, photo_answers):
    reader = lambda image: photo_answers.get(hashlib.sha256(image).hexdigest(), CONSTANT)  # noqa: E731
    _, results, _ = evaluate_with(sample_set, tmp_path / "e", reader)
    stats = TrainingStats.from_dataset(load_sample_set(sample_set)["train"])
    shuffled = read_predictions(tmp_path / "e" / "ablation-shuffle" / "predictions.jsonl")
    by_id = {record["id"]: record for record in shuffled}
    in_order = [by_id[record["id"]] for record in read_predictions(tmp_path / "e" / "predictions.jsonl")]
    alone = evaluate_records(in_order, stats, n_resamples=200, seed=0).results["metrics"]
    for name in ("category3_accuracy_all", "price_mdape", "title_f1"):
        assert results["ablation"]["runs"]["shuffle"]["metrics"][name] == alone[name]


@pytest.mark.parametrize("n", [2, 3, 5, 17, 100])
def test_the_derangement_never_maps_a_sample_to_itself(n):
    for seed in range(20):
        permutation = derangement(n, seed)
        assert sorted(permutation) == list(range(n))
        assert not np.any(permutation == np.arange(n))
    assert list(derangement(n, 7)) == list(derangement(n, 7))


def test_a_single_sample_cannot_be_shuffled():
    with pytest.raises(ValueError, match="at least 2 samples"):
        derangement(1, 0)


def test_the_blank_image_has_the_photo_size():
    photo = io.BytesIO()
    Image.new("RGB", (48, 30), (200, 10, 10)).save(photo, format="JPEG")
    with Image.open(io.BytesIO(blank_image(photo.getvalue()))) as blank:
        assert blank.size == (48, 30)
        assert blank.convert("RGB").getextrema() == ((255, 255),) * 3


def test_ablate_defaults_and_errors():
    assert parse_ablate(None, "model") == ("blank", "shuffle")
    assert parse_ablate(None, "endpoint") == ()
    assert parse_ablate("none", "model") == ()
    assert parse_ablate("shuffle", "endpoint") == ("shuffle",)
    with pytest.raises(ValueError, match="--ablate: noise is not an ablation"):
        parse_ablate("blank,noise", "model")
    with pytest.raises(ValueError, match="--ablate needs a model or an endpoint"):
        parse_ablate("blank", "predictions")
