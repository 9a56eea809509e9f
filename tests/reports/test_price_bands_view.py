"""The single report: error by price band in the price section, cost (or why there is none) in provenance."""

from __future__ import annotations

from productlens.reports.html import render_report

from .conftest import parse_page


def band(name, label, n, mdape):
    metric = {
        "value": mdape,
        "ci_low": mdape - 0.01,
        "ci_high": mdape + 0.01,
        "n": n,
        "higher_is_better": False,
    }
    return {
        "name": name,
        "label": label,
        "low": None,
        "high": None,
        "n": n,
        "metrics": {"price_mdape": metric},
    }


def test_price_section_shows_error_by_band(fake_results, fake_predictions):
    results = {
        **fake_results,
        "price_bands": {
            "edges": [300.0],
            "bands": [band("q1", "≤ 300", 4, 0.12), band("q2", "> 300", 5, 0.3)],
        },
    }
    dom = parse_page(render_report(results, fake_predictions))
    rows = dom.find("section", id="price").find("table", class_="price-bands").find("tbody").find_all("tr")
    assert [row.attrs["data-band"] for row in rows] == ["q1", "q2"]
    assert rows[0].words.startswith("Q1 ≤ 300 4 12.0% [11.0, 13.0]%")


def test_provenance_shows_the_cost_or_why_it_is_absent(fake_results, fake_predictions):
    cost = {"absent": None, "wall_s": 12.5, "samples_per_s": 4.0, "prompt_tokens_per_sample": 812.0,
            "generated_tokens_per_sample": 21.5, "tokens_from": "tokenizer", "device": "NVIDIA H100 80GB HBM3",
            "dtype": "bfloat16", "batch_size": 8, "peak_memory_gb": 9.87, "samples": 50}  # fmt: skip
    words = (
        parse_page(render_report({**fake_results, "cost": cost}, fake_predictions))
        .find("dl", class_="prov")
        .words
    )
    for text in ("Wall time 12.5 s", "Samples/s 4.00", "Prompt tok/sample 812.0", "NVIDIA H100 80GB HBM3",
                 "bfloat16", "Peak GPU memory 9.87 GB", "Tokens counted by tokenizer"):  # fmt: skip
        assert text in words
    absent = {"absent": "answers read from a predictions file: nothing was generated, timed or counted"}
    words = (
        parse_page(render_report({**fake_results, "cost": absent}, fake_predictions))
        .find("dl", class_="prov")
        .words
    )
    assert "Cost and speed not recorded: answers read from a predictions file" in words
