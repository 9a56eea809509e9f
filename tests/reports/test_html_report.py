"""The evaluation report as a parsed document: every section, its numbers, escaping, no outside resources."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re

import pytest
from productlens.reports.html import render_report, write_report

from . import conftest
from .conftest import bare_results, parse_page

SECTIONS = ("headline", "metrics", "price", "categories", "samples", "provenance")
WITH_TRAINING = ("headline", "metrics", "price", "categories", "samples", "training", "provenance")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """Rendered once for the module (matplotlib draws six plots): the tests only read it."""
    predictions = conftest.fake_predictions.__wrapped__()
    thumbnails = conftest.fake_thumbnails.__wrapped__(predictions)
    path = write_report(
        tmp_path_factory.mktemp("evals") / "x" / "report.html",
        conftest.fake_results.__wrapped__(),
        predictions,
        thumbnails,
    )
    return path, path.read_text(encoding="utf-8")


def test_every_section_is_present_and_linked(report):
    _, document = report
    dom = parse_page(document)
    for anchor in WITH_TRAINING:
        assert dom.find("section", id=anchor).find("h2").text
    assert [a.attrs["href"] for a in dom.find("nav").find_all("a")] == [f"#{s}" for s in WITH_TRAINING]
    assert dom.find("h1").text == "tiny-lora-eval"


def test_headline_cards_show_value_interval_and_baselines(report):
    dom = parse_page(report[1])
    card = dom.find("div", class_="card", data_metric="price_mdape")
    text = card.words
    assert "6.1%" in text and "95% CI 1.0-56.0 %" in text and "n = 6" in text and "lower is better" in text
    assert "Training median price 41.0% ▲ better" in text
    assert "Median price of the true category (oracle) 9.0% ▲ better" in text
    # the noise floor: the gap left to it, never "worse" (no model can beat it)
    assert "Noise floor (price before noise) 2.0% 4.1 pp to the floor" in text
    within = dom.find("div", class_="card", data_metric="price_within_10pct").words
    assert "Median price of the true category (oracle) 55.0% ▼ worse" in within
    assert "Noise floor (price before noise) 95.0% 45.0 pp to the floor" in within
    assert not card.find_all("span", class_="worse")
    label = dom.find("div", class_="card", data_metric="category3_accuracy").find("div", class_="label").text
    assert label == "Category3 accuracy"


def test_metrics_table_has_a_row_per_metric_with_baseline_columns(report, fake_results):
    dom = parse_page(report[1])
    table = dom.find("table", class_="metrics")
    header = table.find("thead").find_all("th")
    assert [th.words for th in header[-4:]] == ["train median", "leaf median", "noise floor", "majority"]
    assert [th.attrs["title"] for th in header[-4:]] == [
        b["label"] for b in fake_results["baselines"].values()
    ]
    rows = [tr for tr in table.find_all("tr") if "data-metric" in tr.attrs]
    # title_anls_all is n/a like title_anls: the copy is left out; category3_accuracy_all differs and stays
    assert [tr.attrs["data-metric"] for tr in rows] == [
        m for m in fake_results["metrics"] if m != "title_anls_all"
    ]
    strict = next(tr for tr in rows if tr.attrs["data-metric"] == "category3_accuracy_all")
    assert strict.words.startswith("↳ unparsed = miss category3_accuracy_all 55.6%")  # under its original
    mae = next(tr for tr in rows if tr.attrs["data-metric"] == "price_mae")
    assert "317.5 USD" in mae.words and "85.0-640.0 USD" in mae.words  # money with its unit
    anls = next(tr for tr in rows if tr.attrs["data-metric"] == "title_anls")
    assert "n/a" in anls.text  # unscored metric shown as such, not as 0
    groups = [tr.words for tr in table.find_all("tr", class_="group")]
    assert groups == ["Parsing", "Category", "Price", "Title"]


def test_plots_are_inline_svg_with_unique_ids_and_no_links_outside(report):
    dom = parse_page(report[1])
    plots = dom.find("section", id="price").find_all("svg", class_="plot")
    assert len(plots) == 4  # scatter and histogram, each in a wide and a phone-width layout
    wide = [div.find("svg") for div in dom.find("section", id="price").find_all("div", class_="plot-wide")]
    narrow = [
        div.find("svg") for div in dom.find("section", id="price").find_all("div", class_="plot-narrow")
    ]
    assert len(wide) == len(narrow) == 2
    assert all(plot.attrs.get("aria-label") for plot in plots)
    ids = [node.attrs["id"] for node in dom.iter() if "id" in node.attrs]
    assert len(ids) == len(set(ids)), "duplicate ids across inline SVGs"
    for node in dom.iter():
        for key in ("href", "xlink:href"):
            if key in node.attrs and node.tag != "a":
                assert node.attrs[key].startswith("#"), node.attrs[key]


def test_category_accuracy_and_confusion_heat_map(report):
    dom = parse_page(report[1])
    categories = dom.find("section", id="categories")
    rows = categories.find("table", class_="per-category").find("tbody").find_all("tr")
    assert [r.words for r in rows] == [
        "COATS 3 50.0% 50.0%",
        "SCARVES 3 50.0% n/a",
        "SHIRTS 3 100.0% 1.7%",
    ]
    heat = categories.find("table", class_="heat")
    columns = [th.text for th in heat.find("thead").find_all("th", class_="col")]
    assert columns == ["COATS", "SCARVES", "SHIRTS", "HATS", "(unparsed)"]  # whole names, nothing cut
    body = heat.find("tbody").find_all("tr")
    assert [r.find("th").text for r in body] == ["COATS", "SCARVES", "SHIRTS"]  # HATS is only predicted
    assert [cell.text for cell in body[2].find_all("td")] == ["", "", "3", "", ""]  # zeros left blank
    assert [cell.text for cell in heat.find_all("td", class_="diag")] == ["1", "1", "3"]
    link = body[0].find_all("td")[3].find("a")  # COATS predicted as HATS: P004
    assert link.attrs["href"] == "#samples?category=COATS&predicted=HATS"
    unparsed = body[0].find_all("td")[4].find("a")
    assert unparsed.attrs["href"] == "#samples?category=COATS&predicted=%28unparsed%29"


def test_gallery_has_a_card_per_sample_with_verdicts_thumbnail_and_filters(report, fake_predictions):
    dom = parse_page(report[1])
    samples = dom.find("section", id="samples")
    cards = samples.find_all("article", class_="sample")
    assert [c.attrs["data-id"] for c in cards] == [r["id"] for r in fake_predictions]
    by_id = {c.attrs["data-id"]: c for c in cards}
    assert by_id["P001"].attrs["data-flags"] == "right"
    assert (
        by_id["P004"].attrs["data-predicted"] == "HATS"
        and by_id["P007"].attrs["data-predicted"] == "(unparsed)"
    )
    assert by_id["P004"].attrs["data-flags"] == "wrong category-miss price-miss"
    assert by_id["P007"].attrs["data-flags"].startswith("unparsed")
    assert by_id["P007"].attrs["data-ape"] == ""
    assert "parse error: no 'Product:' field" in by_id["P007"].text
    assert "(empty answer)" in by_id["P008"].text
    chips = [v.words for v in by_id["P005"].find_all("span", class_="v")]
    assert chips == ["title ✗ F1 0.00", "category ✗ wrong", "price ✗ -64.3%"]
    assert by_id["P001"].find("img").attrs["src"].startswith("data:image/jpeg;base64,")
    assert by_id["P009"].find_all("img") == [] and "no image" in by_id["P009"].text
    options = [o.attrs["value"] for o in samples.find("select", id="category").find_all("option")]
    assert options == ["", "COATS", "SCARVES", "SHIRTS"]
    predicted = [o.attrs["value"] for o in samples.find("select", id="predicted").find_all("option")]
    assert predicted == ["", "(unparsed)", "COATS", "HATS", "SCARVES", "SHIRTS"]
    assert (
        samples.find("select", id="verdict")
        and samples.find("select", id="sort")
        and samples.find("input", id="q")
    )


def test_provenance_names_model_adapter_data_settings_and_versions(report):
    section = parse_page(report[1]).find("section", id="provenance")
    text = section.words
    for expected in (
        "tiny",
        "runs/tiny-lora/adapter",
        "3f2a9c0d5e7b41aa",
        "test",
        "12.5 s",
        "max_new_tokens 48",
    ):
        assert expected in text
    assert "transformers 5.24.0" in text


def test_embedded_results_json_round_trips(report, fake_results):
    dom = parse_page(report[1])
    assert json.loads(dom.find("script", id="report-data").text) == fake_results


def test_no_outside_resources_and_a_csp_pinned_to_our_script(report):
    document = report[1]
    dom = parse_page(document)
    policy = dom.find("meta", http_equiv="Content-Security-Policy").attrs["content"]
    assert "default-src 'none'" in policy and "img-src data:" in policy
    scripts = [s for s in dom.find_all("script") if s.attrs.get("type") != "application/json"]
    assert len(scripts) == 1 and "src" not in scripts[0].attrs
    digest = base64.b64encode(hashlib.sha256(scripts[0].text.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy
    for node in dom.iter():
        assert "src" not in node.attrs or node.attrs["src"].startswith("data:")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", document)
    assert "@import" not in document and "url(http" not in document and "@font-face" not in document


def test_script_in_title_and_answer_is_escaped_and_creates_no_element(
    tmp_path, fake_results, fake_predictions
):
    payload = "<script>alert(1)</script>"
    fake_predictions[0]["reference"]["title"] = payload
    fake_predictions[1]["generated"] = payload
    fake_predictions[2]["reference"]["category3"] = payload  # reaches the plot legend and the filter too
    fake_results["provenance"]["model"] = payload
    document = write_report(tmp_path / "r.html", fake_results, fake_predictions, None).read_text()

    assert payload not in document
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document
    dom = parse_page(document)
    scripts = dom.find_all("script")
    assert len(scripts) == 2 and all(
        "alert(1)" not in s.text or s.attrs.get("type") == "application/json" for s in scripts
    )
    cards = {c.attrs["data-id"]: c for c in dom.find_all("article", class_="sample")}
    assert payload in cards["P001"].text  # shown as text
    assert payload in cards["P002"].find("pre", class_="gen").text
    assert json.loads(dom.find("script", id="report-data").text)["provenance"]["model"] == payload


def test_write_is_atomic_and_leaves_no_temporary_file(tmp_path, monkeypatch, fake_results, fake_predictions):
    path = tmp_path / "report.html"
    path.write_text("previous report")

    def fail(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_report(path, fake_results, fake_predictions, None)
    assert path.read_text() == "previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    monkeypatch.undo()
    write_report(path, fake_results, fake_predictions, None)
    assert path.read_text().startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_gallery_limit_says_how_many_are_shown(fake_results, fake_predictions):
    dom = parse_page(render_report(fake_results, fake_predictions, None, max_gallery=4))
    assert len(dom.find_all("article", class_="sample")) == 4
    assert "the first 4 of 9" in dom.find("span", id="count").text


def test_empty_predictions_still_render_every_section(fake_results):
    dom = parse_page(render_report(fake_results, [], None))
    for anchor in SECTIONS:
        dom.find("section", id=anchor)
    assert "0 of 0 answers had a readable price" in dom.find("section", id="price").text


def test_minimal_results_render_without_optional_parts(tmp_path):
    """Only the keys the contract requires, empty: every section still renders and says what is missing."""
    results = bare_results()
    dom = parse_page(write_report(tmp_path / "r.html", results, [], None).read_text())
    for anchor in SECTIONS:
        dom.find("section", id=anchor)
    assert "No confusion matrix" in dom.find("section", id="categories").words


def test_nan_values_become_null_and_n_a(fake_results, fake_predictions):
    fake_results["metrics"]["price_mae"]["value"] = float("nan")
    dom = parse_page(render_report(fake_results, fake_predictions, None))
    assert json.loads(dom.find("script", id="report-data").text)["metrics"]["price_mae"]["value"] is None
    assert "n/a" in dom.find("tr", data_metric="price_mae").words
