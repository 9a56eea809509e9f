"""Atomic file and directory writes: the destination is the old content or the new, never a mix or nothing."""

from __future__ import annotations

import os

import pytest
from productlens.core.atomic_writes import (
    atomic_directory,
    atomic_file,
    atomic_write_text,
    remove_stale_temporaries,
    removed_on_failure,
    replace_directory,
)
from productlens.core.json_files import read_json, write_json


def test_atomic_file_keeps_the_old_file_when_the_writer_fails(tmp_path):
    path = tmp_path / "weights.bin"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="writer broke"), atomic_file(path) as temporary:
        temporary.write_bytes(b"half")
        raise RuntimeError("writer broke")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["weights.bin"]


def test_atomic_write_text_gives_the_usual_permissions(tmp_path):
    path = tmp_path / "sub" / "card.md"
    atomic_write_text(path, "héllo")
    mask = os.umask(0)
    os.umask(mask)
    assert path.read_text(encoding="utf-8") == "héllo"
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_replace_directory_swaps_in_the_new_one_and_deletes_the_old(tmp_path):
    dest, new = tmp_path / "adapter", tmp_path / ".tmp-adapter"
    dest.mkdir()
    (dest / "old.txt").write_text("old")
    new.mkdir()
    (new / "new.txt").write_text("new")
    replace_directory(new, dest)
    assert [p.name for p in dest.iterdir()] == ["new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["adapter"]


def test_replace_directory_never_leaves_the_destination_missing(tmp_path, monkeypatch):
    dest, new = tmp_path / "processor", tmp_path / ".tmp-processor"
    dest.mkdir()
    (dest / "old.txt").write_text("old")
    new.mkdir()
    real_replace = os.replace

    def fail_on_rename_in(source, target):
        if os.fspath(source) == os.fspath(new):
            raise OSError("rename in failed")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", fail_on_rename_in)
    with pytest.raises(OSError, match="rename in failed"):
        replace_directory(new, dest)
    assert (dest / "old.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".tmp-processor", "processor"]


def test_a_failed_atomic_directory_leaves_the_old_set_and_no_temporary(tmp_path):
    dest = tmp_path / "products"
    with atomic_directory(dest) as temp:
        (temp / "a.txt").write_text("first")
    with pytest.raises(KeyboardInterrupt), atomic_directory(dest, overwrite=True) as temp:
        (temp / "a.txt").write_text("second")
        raise KeyboardInterrupt
    assert (dest / "a.txt").read_text() == "first"
    with atomic_directory(dest, overwrite=True) as temp:
        (temp / "a.txt").write_text("third")
    assert (dest / "a.txt").read_text() == "third"
    assert [p.name for p in tmp_path.iterdir()] == ["products"]


def test_removed_on_failure_removes_only_what_the_block_created(tmp_path):
    created, existing = tmp_path / "new-eval", tmp_path / "old-eval"
    existing.mkdir()
    for directory in (created, existing):
        with pytest.raises(ValueError), removed_on_failure(directory) as path:
            path.mkdir(exist_ok=True)
            raise ValueError
    assert not created.exists() and existing.is_dir()


def test_json_round_trip_and_an_error_that_names_the_file(tmp_path):
    path = tmp_path / "run.json"
    write_json(path, {"b": 1, "a": "é"}, sort_keys=True)
    assert path.read_text() == '{\n  "a": "\\u00e9",\n  "b": 1\n}\n'
    assert read_json(path) == {"a": "é", "b": 1}
    path.write_text('{"a": ')
    with pytest.raises(ValueError, match=r"run\.json is not valid JSON \(line 1, column 7\)"):
        read_json(path)


def test_stale_cleanup_keeps_live_work_of_a_target_whose_name_extends_this_one(tmp_path):
    dead = 2**22 + 12345  # above the default pid_max: no such process
    ours = tmp_path / f".tmp-set.{dead}.abc123"
    theirs = tmp_path / f".tmp-set.90000.{os.getpid()}.x1y2"  # the live temporary of "set.90000"
    for path in (ours, theirs):
        path.mkdir()
    assert remove_stale_temporaries(tmp_path / "set") == [ours]
    assert theirs.is_dir() and not ours.exists()
