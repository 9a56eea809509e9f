"""The OpenAI-compatible path against a small chat-completions server on 127.0.0.1."""

import base64
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner
from productlens.core.sample_set import load_sample_set
from productlens.evaluate.cli import main
from productlens.evaluate.openai_endpoint import EndpointConfig, EndpointError, Sample, generate_with_endpoint
from productlens.evaluate.predictions_io import PredictionWriter, read_predictions
from productlens.finetune.answer_format import PRESETS, format_answer


class FakeServer:
    """Answers each image with its product's true answer; can fail some requests on purpose."""

    def __init__(self, answers: dict[str, str]):
        self.answers = answers  # sha256 of the image bytes -> answer text
        self.requests: list[dict] = []
        self.fail_first = 0  # the first N requests get HTTP 503
        self.reject: set[str] = set()  # image hashes answered with HTTP 400
        self.usage = False  # True: answers carry OpenAI `usage` (see usage_for)
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server.lock:
                    server.requests.append({"path": self.path, "body": body})
                    failing = len(server.requests) <= server.fail_first
                url = body["messages"][0]["content"][0]["image_url"]["url"]
                digest = hashlib.sha256(base64.b64decode(url.split(",", 1)[1])).hexdigest()
                if failing:
                    return self.reply(503, {"error": "busy"})
                if digest in server.reject:
                    return self.reply(400, {"error": "bad image"})
                answer = server.answers.get(digest, "unknown image")
                payload = {"choices": [{"message": {"role": "assistant", "content": answer}}]}
                if server.usage:
                    payload["usage"] = usage_for(body["messages"][0]["content"][1]["text"], answer)
                self.reply(200, payload)

            def reply(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def usage_for(question: str, answer: str) -> dict:
    """The token counts the fake server reports: made up, but a function of the request and the answer."""
    prompt, completion = 500 + len(question), len(answer) // 3
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


@pytest.fixture
def split_images(eval_set):
    """product_code -> (image bytes, row) for the test split."""
    import datasets

    split = load_sample_set(eval_set)["test"].cast_column("image", datasets.Image(decode=False))
    return {row["product_code"]: (row["image"]["bytes"], row) for row in split}


def true_answers(split_images):
    return {
        hashlib.sha256(image).hexdigest(): format_answer(
            row["title"], row["category3_code"], row["full_price"]
        )
        for image, row in split_images.values()
    }


def test_requests_carry_the_image_as_a_data_url_and_the_question(tmp_path, split_images):
    code, (image, row) = next(iter(split_images.items()))
    sample = Sample(code, image, {"title": row["title"]})
    with FakeServer(true_answers(split_images)) as server, PredictionWriter(tmp_path / "p.jsonl") as writer:
        config = EndpointConfig(url=server.url, model_name="phi-3-vision", retries=0)
        assert generate_with_endpoint([sample], writer, config, PRESETS["chat"]) == 1
    request = server.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["body"]["model"] == "phi-3-vision"
    assert request["body"]["temperature"] == 0.0
    content = request["body"]["messages"][0]["content"]
    assert content[0]["image_url"]["url"].startswith("data:image/png;base64,")
    assert content[1] == {"type": "text", "text": "What is shown in this image?"}
    assert read_predictions(tmp_path / "p.jsonl")[0]["generated"].startswith(f"Product: {row['title']}")


def test_busy_server_is_retried(tmp_path, split_images):
    samples = [Sample(code, image, {}) for code, (image, _) in list(split_images.items())[:3]]
    with FakeServer(true_answers(split_images)) as server, PredictionWriter(tmp_path / "p.jsonl") as writer:
        server.fail_first = 2
        config = EndpointConfig(url=server.url, model_name="m", retries=2, backoff_s=0.01, concurrency=1)
        assert generate_with_endpoint(samples, writer, config, PRESETS["chat"]) == 3
    assert len(server.requests) == 5


def test_a_rejected_request_stops_with_the_sample_named(tmp_path, split_images):
    samples = [Sample(code, image, {}) for code, (image, _) in split_images.items()]
    with FakeServer(true_answers(split_images)) as server, PredictionWriter(tmp_path / "p.jsonl") as writer:
        server.reject = {hashlib.sha256(samples[1].image).hexdigest()}
        config = EndpointConfig(url=server.url, model_name="m", retries=0)
        with pytest.raises(EndpointError, match=f"sample {samples[1].id}: .* HTTP 400"):
            generate_with_endpoint(samples, writer, config, PRESETS["chat"])
    saved = {record["id"] for record in read_predictions(tmp_path / "p.jsonl")}
    assert saved == {sample.id for sample in samples} - {samples[1].id}  # the batch's successes are kept


def test_cli_endpoint_scores_and_resumes(tmp_path, eval_set, split_images):
    out = tmp_path / "evals" / "served"
    args = ["--data", str(eval_set), "--endpoint", "", "--model-name", "phi3v", "--out", str(out)]
    args += ["--report", "none", "--bootstrap", "50", "--retries", "0", "--concurrency", "4"]
    with FakeServer(true_answers(split_images)) as server:
        args[3] = server.url
        broken = next(iter(split_images.values()))[0]
        server.reject = {hashlib.sha256(broken).hexdigest()}
        first = CliRunner().invoke(main, args)
        assert first.exit_code == 1
        assert "Error: sample P0024:" in first.output and "HTTP 400" in first.output
        assert len(read_predictions(out / "predictions.jsonl")) == len(split_images) - 1

        server.reject = set()
        server.requests.clear()
        second = CliRunner().invoke(main, args)
        assert second.exit_code == 0, second.output
        assert len(server.requests) == 1  # only the missing sample is asked again
    results = json.loads((out / "results.json").read_text())
    assert results["n"] == len(split_images)
    assert results["metrics"]["parse_rate"]["value"] == 1.0
    assert results["metrics"]["title_exact"]["value"] == 1.0
    assert results["metrics"]["price_mae"]["value"] == 0.0
    assert results["provenance"]["model"].startswith("phi3v @ http://127.0.0.1")
    assert results["timings"]["generation_s"] is not None


def test_endpoint_url_forms():
    assert (
        EndpointConfig(url="http://h:8000/v1/", model_name="m").completions_url
        == "http://h:8000/v1/chat/completions"
    )
    full = "http://h:8000/v1/chat/completions"
    assert EndpointConfig(url=full, model_name="m").completions_url == full
    with pytest.raises(ValueError, match="http:// or https://"):
        EndpointConfig(url="h:8000", model_name="m")


def endpoint_args(server_url, eval_set, out, *extra):
    args = ["--data", str(eval_set), "--endpoint", server_url, "--model-name", "vlm", "--out", str(out)]
    return [*args, "--report", "none", "--bootstrap", "0", "--retries", "0", "--concurrency", "4", *extra]


def test_endpoint_cost_comes_from_the_servers_usage(tmp_path, eval_set, split_images):
    out = tmp_path / "served"
    with FakeServer(true_answers(split_images)) as server:
        server.usage = True
        result = CliRunner().invoke(main, endpoint_args(server.url, eval_set, out))
    assert result.exit_code == 0, result.output
    question = server.requests[0]["body"]["messages"][0]["content"][1]["text"]
    expected = [usage_for(question, answer) for answer in true_answers(split_images).values()]
    cost = json.loads((out / "results.json").read_text())["cost"]
    assert cost["source"] == "endpoint" and cost["absent"] is None
    assert cost["samples"] == len(split_images)
    assert cost["tokens_from"] == "server usage"
    assert cost["prompt_tokens_per_sample"] == pytest.approx(500 + len(question))
    mean_completion = sum(u["completion_tokens"] for u in expected) / len(expected)
    assert cost["generated_tokens_per_sample"] == pytest.approx(mean_completion, abs=0.01)
    assert cost["wall_s"] > 0 and cost["samples_per_s"] > 0
    assert cost["batch_size"] == 4  # requests in flight
    assert cost["device"] == "server (device not visible)" and cost["peak_memory_gb"] is None
    usage = read_predictions(out / "predictions.jsonl")[0]["usage"]
    assert usage["prompt_tokens"] == 500 + len(question) and usage["seconds"] > 0


def test_a_server_without_usage_says_the_tokens_were_not_reported(tmp_path, eval_set, split_images):
    out = tmp_path / "served"
    with FakeServer(true_answers(split_images)) as server:
        assert CliRunner().invoke(main, endpoint_args(server.url, eval_set, out)).exit_code == 0
    cost = json.loads((out / "results.json").read_text())["cost"]
    assert cost["prompt_tokens_per_sample"] is None and cost["generated_tokens_per_sample"] is None
    assert cost["tokens_from"].startswith("not reported") and cost["wall_s"] > 0


def test_ids_regenerates_only_those_answers(tmp_path, eval_set, split_images):
    out = tmp_path / "served"
    path = out / "predictions.jsonl"
    with FakeServer(true_answers(split_images)) as server:
        assert CliRunner().invoke(main, endpoint_args(server.url, eval_set, out)).exit_code == 0
        # Two answers spoilt by hand: only the one named by --ids is asked for again.
        records = read_predictions(path)
        spoilt = {records[1]["id"], records[4]["id"]}
        lines = [
            json.dumps({**r, "generated": "garbled"}) if r["id"] in spoilt else json.dumps(r) for r in records
        ]
        path.write_text("\n".join(lines) + "\n")
        server.requests.clear()
        again = CliRunner().invoke(main, endpoint_args(server.url, eval_set, out, "--ids", records[1]["id"]))
        assert again.exit_code == 0, again.output
        assert len(server.requests) == 1
    after = {r["id"]: r for r in read_predictions(path)}
    assert [r["id"] for r in read_predictions(path)] == [r["id"] for r in records]  # nothing lost or moved
    assert after[records[1]["id"]]["generated"] == records[1]["generated"]  # regenerated
    assert after[records[4]["id"]]["generated"] == "garbled"  # untouched
    others = [key for key in after if key not in spoilt]
    assert all(after[key]["generated"] == records_by_id(records)[key]["generated"] for key in others)
    results = json.loads((out / "results.json").read_text())
    assert results["n"] == len(records)
    assert results["metrics"]["parse_rate"]["value"] == pytest.approx((len(records) - 1) / len(records))


def records_by_id(records):
    return {r["id"]: r for r in records}


@pytest.mark.parametrize(
    ("setup", "ids", "message"),
    [
        ("none", "P0024", "does not exist; run the same command without --ids first"),
        ("run", "P9999", "--ids: 1 id(s) not in the evaluated samples of the 'test' split: P9999"),
        ("run", "P0024,,P0025", "--ids 'P0024,,P0025': give product codes separated by commas"),
        ("other-settings", "P0024", "generated by another model, data or settings"),
    ],
)
def test_ids_errors_name_the_problem(tmp_path, eval_set, split_images, setup, ids, message):
    out = tmp_path / "served"
    with FakeServer(true_answers(split_images)) as server:
        if setup != "none":
            assert CliRunner().invoke(main, endpoint_args(server.url, eval_set, out)).exit_code == 0
        extra = ["--ids", ids] + (["--max-new-tokens", "9"] if setup == "other-settings" else [])
        before = (out / "predictions.jsonl").read_text() if setup != "none" else None
        result = CliRunner().invoke(main, endpoint_args(server.url, eval_set, out, *extra))
    assert result.exit_code == 1 and message in result.output, result.output
    assert "Traceback" not in result.output
    if before is not None:
        assert (out / "predictions.jsonl").read_text() == before  # nothing was dropped
