"""Rich rendering of a fidelity summary (`sample-gen show A --compare B`), from `FidelityReport.to_dict()`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text


def fidelity_renderable(report: Mapping[str, Any], max_categories: int = 30) -> Group:
    """The overall distances, then full_price per shared category3 (largest categories first)."""
    overview = Table(
        title=Text(f"fidelity of {report['name_b']} to {report['name_a']}"), title_justify="left"
    )
    overview.add_column("measure")
    overview.add_column("A", justify="right")
    overview.add_column("B", justify="right")
    overview.add_column("distance", justify="right", style="bold")
    overview.add_row("rows", f"{report['rows_a']:,}", f"{report['rows_b']:,}", "")
    overview.add_row("category3: total variation", "", "", f"{report['category_tv']:.3f}")
    overview.add_row("category3: Jensen-Shannon (bits)", "", "", f"{report['category_js']:.3f}")
    overview.add_row("full price: KS, all rows", "", "", f"{report['price_ks']:.3f}")
    overview.add_row(
        "title length (words): mean, KS",
        f"{report['title_length_a']:.2f}",
        f"{report['title_length_b']:.2f}",
        f"{report['title_length_ks']:.3f}",
    )
    overview.add_row("currency", Text(str(report["currency_a"])), Text(str(report["currency_b"])), "")
    shared = len(report["categories"])
    overview.add_row(
        "categories: shared, only A, only B",
        "",
        "",
        f"{shared}, {len(report['only_in_a'])}, {len(report['only_in_b'])}",
    )
    if shared:
        overview.add_row(
            "price KS below the 5% critical value",
            "",
            "",
            f"{report['categories_within_critical']} of {shared}",
        )

    prices = Table(title="full price per category3", title_justify="left")
    for name, justify in (
        ("category3", "left"),
        ("share A", "right"),
        ("share B", "right"),
        ("median A", "right"),
        ("median B", "right"),
        ("KS", "right"),
        ("5% crit.", "right"),
    ):
        prices.add_column(name, justify=justify)  # type: ignore[arg-type]
    for category in report["categories"][:max_categories]:
        prices.add_row(
            Text(category["category3"]),  # data text: never read as Rich markup
            f"{category['share_a']:.1%}",
            f"{category['share_b']:.1%}",
            f"{category['median_a']:,.0f}",
            f"{category['median_b']:,.0f}",
            f"{category['price_ks']:.3f}",
            f"{category['ks_critical']:.3f}",
        )
    parts: list[Table] = [overview, prices] if shared else [overview]
    return Group(*parts)
