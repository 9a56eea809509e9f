"""The HTML report's sections for the image check and the breakdowns, with their navigation links.

Kept apart from html.py so the report gains them with two lines; each returns ([section html], [link])
and nothing when the results do not have the data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from productlens.reports.ablation_view import ABLATION_CSS, ablation_section_body
from productlens.reports.groups_view import attributes_section_body, combinations_section_body
from productlens.reports.html_page import section

Sections = tuple[list[str], list[tuple[str, str]]]


def image_check_sections(results: Mapping[str, Any]) -> Sections:
    body = ablation_section_body(results)
    if not body:
        return [], []
    intro = (
        "The same prompts asked again with a blank image of the same size and with another sample's photo "
        "(a fixed derangement: no sample sees its own). Differences are real − ablated on the same samples, "
        "with 95% paired-bootstrap intervals; an interval that includes 0 means the image changes nothing."
    )
    return [
        f"<style>{ABLATION_CSS}</style>"
        + section("image-check", "Does the model read the photo?", body, intro)
    ], [("image-check", "Image check")]


def group_sections(results: Mapping[str, Any]) -> Sections:
    sections, links = [], []
    combinations = combinations_section_body(results)
    if combinations:
        sections.append(
            section(
                "combinations",
                "Seen and unseen attribute combinations",
                combinations,
                "The set holds some attribute combinations out of training (sample-gen --holdout). Every metric "
                "on the test samples whose combination was seen in training and on the held-out ones, and the "
                "gap seen − unseen: a model that reads attributes does nearly as well on unseen combinations; "
                "one that memorised combinations does not.",
            )
        )
        links.append(("combinations", "Seen/unseen"))
    attributes = attributes_section_body(results)
    if attributes:
        sections.append(
            section(
                "attributes",
                "Visual attributes",
                attributes,
                "How often the predicted title names each visual attribute as the reference does (the colour, "
                "the material, the pattern or none, the hardware or none, the size on sized items), overall and "
                "per true value, with 95% bootstrap intervals. Unparsed titles are not counted.",
            )
        )
        links.append(("attributes", "Attributes"))
    return sections, links
