"""Shared fixtures: one small synthetic sample set per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
from productlens.generate.synthesize import GenerateConfig, generate_set

SAMPLE_SET_ROWS = 120


@pytest.fixture(scope="session")
def sample_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 120-row synthetic sample set with 96x96 photos (all three splits), made once per session."""
    out = tmp_path_factory.mktemp("sample-set") / "products"
    generate_set(GenerateConfig(count=SAMPLE_SET_ROWS, out=out, seed=7, workers=1, width=96, height=96))
    return out
