"""The report templates: shipped with the package, autoescaped, and strict about the names they use."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from jinja2 import UndefinedError
from markupsafe import Markup
from productlens.reports.templating import TEMPLATES, environment, render

ROOT = Path(__file__).resolve().parents[2]


def test_every_template_is_package_data():
    """A template no package-data pattern matches would be missing from a wheel (a non-editable install)."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = setuptools["package-data"]["productlens.reports"]
    shipped = {path for pattern in patterns for path in (TEMPLATES.parent).glob(pattern)}
    assert sorted(TEMPLATES.iterdir()) and set(TEMPLATES.iterdir()) == shipped


def test_values_are_escaped_and_only_markup_passes():
    hostile = '<script>alert("x")</script>'
    html = render("compare_header.html.j2", names=[hostile, Markup("<b>ours</b>")])
    assert hostile not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<b>ours</b>" in html
    assert environment().autoescape is True


def test_a_missing_name_is_an_error_not_an_empty_string():
    with pytest.raises(UndefinedError):
        render("compare_header.html.j2")
