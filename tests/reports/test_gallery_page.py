"""The gallery's summary badges, paging, confusion links and CSV download; the training and provenance
sections; escaping of everything new (tooltips, CSV cells, the prompt, the training command)."""

from __future__ import annotations

import base64
import csv
import io

from productlens.reports.html import render_report
from productlens.reports.samples_csv import samples_csv

from .conftest import answered, parse_page


def _csv_from_link(dom) -> list[dict[str, str]]:
    link = dom.find("a", class_="download")
    prefix = "data:text/csv;charset=utf-8;base64,"
    assert link.attrs["download"] == "samples.csv" and link.attrs["href"].startswith(prefix)
    text = base64.b64decode(link.attrs["href"][len(prefix) :]).decode("utf-8")
    assert text.startswith("\ufeff")  # spreadsheets then read it as UTF-8
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_badges_count_fields_and_close_is_not_wrong(fake_results, fake_predictions):
    near = fake_predictions[0]
    near["scores"] = {**near["scores"], "title_exact": 0, "title_f1": 0.92}
    dom = parse_page(render_report(fake_results, fake_predictions, None))
    badges = {
        c.attrs["data-id"]: c.find("span", class_="badge") for c in dom.find_all("article", class_="sample")
    }
    assert badges["P001"].attrs["class"] == "badge close" and badges["P001"].words == "≈ 2 right · 1 close"
    assert badges["P006"].attrs["class"] == "badge right" and badges["P006"].words == "✓ 3 right"
    assert badges["P004"].attrs["class"] == "badge wrong" and badges["P004"].words == "✗ 1 right · 2 wrong"
    assert badges["P007"].words == "— 3 unparsed"
    verdicts = [o.attrs["value"] for o in dom.find("select", id="verdict").find_all("option")]
    assert "close" in verdicts


def test_gallery_pages_through_its_cards(fake_results):
    many = [
        answered(f"Q{i:03d}", "Oxford Shirt", "SHIRTS", 490.0, "Oxford Shirt", "SHIRTS", 495.0)
        for i in range(130)
    ]
    dom = parse_page(render_report(fake_results, many, None))
    gallery = dom.find("div", id="gallery")
    assert gallery.attrs["data-page-size"] == "48"
    assert len(gallery.find_all("article", class_="sample")) == 130  # all there without a script, paged by it
    pager = dom.find("nav", id="pager")
    assert pager.find("button", id="prev") and pager.find("button", id="next")


def test_csv_download_holds_every_sample_with_its_scores_and_verdicts(fake_results, fake_predictions):
    dom = parse_page(render_report(fake_results, fake_predictions, None, max_gallery=4))
    rows = _csv_from_link(dom)
    assert [row["id"] for row in rows] == [r["id"] for r in fake_predictions]  # all, not just the 4 shown
    p004 = rows[3]
    assert p004["true_category3"] == "COATS" and p004["predicted_category"] == "HATS"
    assert p004["true_price"] == "1290" and p004["predicted_price"] == "2600"
    assert p004["category_verdict"] == "✗ wrong" and p004["overall"] == "wrong"
    assert rows[6]["parse_error"] == "no 'Product:' field" and rows[6]["price_ape"] == ""
    assert "CSV of all 9 samples" in dom.find("a", class_="download").words


def test_csv_cells_cannot_run_as_spreadsheet_formulas(fake_predictions):
    fake_predictions[0]["reference"]["title"] = '=HYPERLINK("http://x")'
    fake_predictions[1]["generated"] = "+1+1"
    fake_predictions[2]["generated"] = 'a "quoted", answer\nover two lines'
    rows = list(csv.DictReader(io.StringIO(samples_csv(fake_predictions))))
    assert rows[0]["true_title"] == '\'=HYPERLINK("http://x")'
    assert rows[1]["generated"] == "'+1+1"
    assert rows[2]["generated"] == 'a "quoted", answer\nover two lines'  # quoted by csv, read back whole
    assert rows[4]["price_log_error"].startswith("-")  # numbers keep their sign


def test_training_section_shows_method_settings_curves_and_the_exact_prompt(fake_results, fake_predictions):
    dom = parse_page(render_report(fake_results, fake_predictions, None))
    section = dom.find("section", id="training")
    text = section.words
    for expected in (
        "Method lora",
        "Learning rate 0.0005",
        "Epochs 12",
        "Training samples 4200",
        "Data data/products",
    ):
        assert expected in text
    assert "3.8 min" in text  # 229 s
    assert len(section.find_all("svg", class_="plot")) == 2  # loss and validation, wide and narrow
    assert "Training loss at 12 logged steps and validation scores at 2 checks on 16 images each" in text
    prompt = section.find("pre", class_="prompt").text
    assert prompt == "<|user|>\n<|image_1|>\nWhat is shown in this image?<|end|>\n<|assistant|>\n"
    assert "Prompt (chat style, used for generation and parsing)" in text


def test_provenance_lists_only_the_settings_that_applied(fake_results, fake_predictions):
    section = parse_page(render_report(fake_results, fake_predictions, None)).find("section", id="provenance")
    keys = [code.text for code in section.find("table", class_="kv").find_all("code")]
    assert "max_new_tokens" in keys and "num_crops" in keys and "run" in keys
    for endpoint_only in ("endpoint", "model_name", "concurrency", "timeout_s", "retries"):
        assert endpoint_only not in keys  # a local model used none of them
    assert "prompt_style chat" in section.words  # the style used, not "—"
    assert "—" not in section.find("table", class_="kv").words
    assert "Answers from the model, run here" in section.words


def test_an_endpoint_evaluation_shows_its_server_settings_and_no_local_ones(fake_results, fake_predictions):
    fake_results["provenance"]["settings"] = {
        "endpoint": "http://localhost:8000/v1",
        "model_name": "phi",
        "concurrency": 8,
        "num_crops": None,
        "batch_size": 8,
        "max_new_tokens": 64,
    }
    section = parse_page(render_report(fake_results, fake_predictions, None)).find("section", id="provenance")
    keys = [code.text for code in section.find("table", class_="kv").find_all("code")]
    assert keys == ["concurrency", "endpoint", "max_new_tokens", "model_name", "prompt_style"]


def test_new_fields_are_escaped(fake_results, fake_predictions):
    payload = "<script>alert(1)</script>"
    fake_results["provenance"]["training"]["command"] = payload
    fake_results["provenance"]["training"]["method"] = payload
    fake_results["provenance"]["prompt"]["prompt"] = payload
    fake_results["provenance"]["prompt"]["answer_template"] = payload
    fake_predictions[0]["reference"]["title"] = payload  # reaches a scatter tooltip and the CSV
    fake_predictions[3]["parsed"]["category"] = payload  # reaches data-predicted and the filter
    document = render_report(fake_results, fake_predictions, None)
    assert payload not in document
    dom = parse_page(document)
    assert len(dom.find_all("script")) == 2
    assert payload in dom.find("section", id="training").find("pre", class_="prompt").text
    titles = [t.text for t in dom.find("section", id="price").find_all("title")]
    assert any(payload in t for t in titles)
    assert dom.find("article", data_id="P004").attrs["data-predicted"] == payload
    assert _csv_from_link(dom)[0]["true_title"] == payload


def test_a_report_of_saved_predictions_has_no_training_section(fake_results, fake_predictions):
    del fake_results["provenance"]["training"]
    fake_results["provenance"]["prompt"]["used_for"] = "parsing the saved answers"
    dom = parse_page(render_report(fake_results, fake_predictions, None))
    assert dom.find("section", id="training").find("h2").text == "Prompt"  # no training facts to show
    assert (
        "Prompt (chat style, used for parsing the saved answers)" in dom.find("section", id="training").words
    )
    del fake_results["provenance"]["prompt"]
    dom = parse_page(render_report(fake_results, fake_predictions, None))
    assert not dom.find_all("section", id="training")
    assert "#training" not in [a.attrs["href"] for a in dom.find("nav").find_all("a")]
