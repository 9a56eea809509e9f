"""`--like` profiles leave out titles and categories over the length limit instead of copying them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from productlens.generate.clean import MAX_CHARS
from productlens.generate.cli import main
from productlens.generate.profile import load_profile, profile_set


def test_a_scraped_page_in_a_title_is_left_out_of_the_profile(sample_set: Path, tmp_path: Path) -> None:
    data = tmp_path / "set"
    shutil.copytree(sample_set, data)
    shard = sorted((data / "data").glob("train-*.parquet"))[0]
    table = pd.read_parquet(shard)
    table.loc[table.index[0], "title"] = "Coat " * 10_000  # 50,000 characters
    table.loc[table.index[1], "category3_code"] = "X" * 500
    table.to_parquet(shard)

    profile = profile_set(data)
    assert profile.too_long_rows == 2
    assert max(profile.title_lengths) < 20 and all(len(c[2]) <= 100 for c in profile.categories)
    result = CliRunner().invoke(main, ["profile", str(data), "--out", str(tmp_path / "p.json")])
    assert result.exit_code == 0 and "2 rows left out: too_long" in " ".join(result.output.split())

    like = CliRunner().invoke(main, ["-n", "40", "--like", str(data), "--out", str(tmp_path / "like"),
                                     "--workers", "1", "--size", "64x64"])  # fmt: skip
    assert like.exit_code == 0, like.output
    titles = pd.read_parquet(tmp_path / "like" / "data")["title"]
    assert titles.str.len().max() <= MAX_CHARS["title"]


def test_a_profile_json_with_overlong_titles_is_refused(tmp_path: Path, sample_set: Path) -> None:
    profile = profile_set(sample_set).to_dict()
    profile["title_lengths"] = {"12000": 1, **profile["title_lengths"]}
    (tmp_path / "p.json").write_text(json.dumps(profile))
    with pytest.raises(ValueError, match="too_long: the profile has titles of 12,000 words"):
        load_profile(tmp_path / "p.json")
