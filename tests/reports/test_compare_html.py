"""The comparison report as a parsed document: runs, paired differences with verdicts, disagreements."""

from __future__ import annotations

from productlens.reports.html import write_compare_report

from .conftest import jpeg, parse_page


def test_compare_report_sections_runs_and_differences(tmp_path, fake_compare):
    dom = parse_page(write_compare_report(tmp_path / "compare.html", fake_compare).read_text())
    for anchor in ("runs", "differences", "disagreements"):
        dom.find("section", id=anchor)
    runs = [tr.find("td").words for tr in dom.find("table", class_="runs").find("tbody").find_all("tr")]
    assert runs == ["tiny-lora-eval", "tiny-full-eval"]
    rows = {
        tr.attrs["data-metric"]: tr
        for tr in dom.find("table", class_="differences").find_all("tr")
        if "data-metric" in tr.attrs
    }
    # the "(unparsed = miss)" copy equal to its original in every run is left out
    assert list(rows) == [m for m in fake_compare["runs"][0]["metrics"] if m != "title_anls_all"]
    assert "317.5 USD (85.0-640.0)" in rows["price_mae"].words
    verdicts = {
        name: [td.attrs.get("data-verdict") for td in row.find_all("td")][-1] for name, row in rows.items()
    }
    assert verdicts["parse_rate"] == "unclear"  # the interval touches 0
    assert verdicts["price_mdape"] == "better"  # lower is better, interval below 0
    assert verdicts["title_f1"] == "worse"
    assert verdicts["price_mae"] is None  # no difference computed: a dash, not a verdict
    assert "+22.2 pp (+0.0 to +44.4 pp) ≈ unclear" in rows["parse_rate"].words
    assert "n = 9" in rows["parse_rate"].words


def test_compare_disagreements_show_every_runs_answer(tmp_path, fake_compare):
    dom = parse_page(write_compare_report(tmp_path / "compare.html", fake_compare).read_text())
    cards = dom.find_all("article", class_="disagreement")
    assert [c.attrs["data-id"] for c in cards] == ["P007", "P005"]
    first_runs = [run.find("div", class_="name").text for run in cards[0].find_all("div", class_="run")]
    assert first_runs == ["tiny-lora-eval", "tiny-full-eval"]
    assert "title — unparsed" in cards[0].words and "price ✓ 1.7% off" in cards[0].words
    assert cards[1].find_all("div", class_="run")[1].words == "tiny-full-eval —"  # no answer from that run
    assert cards[0].find_all("img") == [] and "no image" not in cards[0].words  # no thumbnails given


def test_compare_warns_when_runs_saw_different_data(tmp_path, fake_compare):
    fake_compare["runs"][1] = {
        **fake_compare["runs"][1],
        "provenance": {**fake_compare["runs"][1]["provenance"], "data_fingerprint": "other"},
    }
    path = write_compare_report(tmp_path / "c.html", fake_compare, {"P007": jpeg((1, 2, 3))})
    dom = parse_page(path.read_text())
    assert "different fingerprints" in dom.find("p", class_="warn").words
    assert dom.find("article", data_id="P007").find("img").attrs["src"].startswith("data:image/jpeg;base64,")


def test_compare_escapes_run_names_and_answers(tmp_path, fake_compare):
    payload = "<script>alert(1)</script>"
    fake_compare["disagreements"][0]["answers"]["tiny-full-eval"]["generated"] = payload
    fake_compare["runs"][0] = {**fake_compare["runs"][0], "name": "<b>bold</b>"}
    document = write_compare_report(tmp_path / "c.html", fake_compare).read_text()
    assert payload not in document and "<b>bold</b>" not in document
    dom = parse_page(document)
    assert len(dom.find_all("script")) == 2
    assert all(b.children == [] for b in dom.find_all("b"))  # the name is text inside our <b>, not a tag
    assert "<b>bold</b>" in dom.find("table", class_="runs").find("b").text
    assert payload in dom.find("article", data_id="P007").find("pre", class_="gen").text
