"""The HTML report's sections for the image check and the breakdowns.

Kept apart from html.py so the report gains them with two lines; each returns its sections, none when
the results do not have the data.
"""

from __future__ import annotations

from productlens.core.results_schema import Results
from productlens.reports.ablation_view import ablation_section_body
from productlens.reports.groups_view import attributes_section_body, combinations_section_body
from productlens.reports.html_page import Section


def image_check_sections(results: Results) -> list[Section]:
    body = ablation_section_body(results)
    if not body:
        return []
    intro = (
        "The same prompts asked again with a blank image of the same size and with another sample's photo "
        "(a fixed derangement: no sample sees its own). Differences are real − ablated on the same samples, "
        "with 95% paired-bootstrap intervals; an interval that includes 0 means the image changes nothing."
    )
    return [Section("image-check", "Does the model read the photo?", "Image check", body, intro)]


def group_sections(results: Results) -> list[Section]:
    sections = []
    combinations = combinations_section_body(results)
    if combinations:
        sections.append(
            Section(
                "combinations",
                "Seen and unseen attribute combinations",
                "Seen/unseen",
                combinations,
                "The set holds some attribute combinations out of training (sample-gen --holdout). Every metric "
                "on the test samples whose combination was seen in training and on the held-out ones, and the "
                "gap seen − unseen: a model that reads attributes does nearly as well on unseen combinations; "
                "one that memorised combinations does not.",
            )
        )
    attributes = attributes_section_body(results)
    if attributes:
        sections.append(
            Section(
                "attributes",
                "Visual attributes",
                "Attributes",
                attributes,
                "How often the predicted title names each visual attribute as the reference does (the colour, "
                "the material, the pattern or none, the hardware or none, the size on sized items), overall and "
                "per true value, with 95% bootstrap intervals. Unparsed titles are not counted.",
            )
        )
    return sections
