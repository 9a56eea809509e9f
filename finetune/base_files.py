"""The base checkpoint's own files in merged/: a drop-in copy of the official directory with new weights.

vLLM serves Phi-3-Vision only with `--trust-remote-code`: it reads `config.json`'s `auto_map` and the model
directory's `configuration_phi3_v.py`, `modeling_phi3_v.py`, `processing_phi3_v.py` and processor configs.
So when the base model is a local directory, everything in it that is not a weight file is copied into
merged/ byte for byte (its code, tokenizer, preprocessor / processor and generation configs, licence, card),
and merged/config.json keeps the base's keys (`auto_map` included) with the merged model's values.
productlens copies the code and never imports or runs it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from productlens.core.json_files import read_json, write_json
from productlens.finetune.phi3v.weights import INDEX_NAME, PICKLE_SUFFIXES

CONFIG_NAME = "config.json"
WEIGHT_SUFFIXES = (".safetensors", *PICKLE_SUFFIXES)
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "tokenizer.model")


def base_directory(base_model: str) -> Path | None:
    """The base model as a local directory with a config.json, or None (tiny, a hub id)."""
    path = Path(base_model)
    return path if path.is_dir() and (path / CONFIG_NAME).is_file() else None


def carried_files(base: Path) -> list[Path]:
    """The base's top-level files that are not weights, the weight index or config.json (dotfiles left out)."""
    return sorted(
        path
        for path in base.iterdir()
        if path.is_file()
        and not path.name.startswith(".")
        and path.name not in (CONFIG_NAME, INDEX_NAME)
        and not path.name.endswith(WEIGHT_SUFFIXES)
    )


def has_tokenizer(base: Path) -> bool:
    """True when the base carries its own tokenizer (then merged/ takes it instead of the run's copy)."""
    return any((base / name).is_file() for name in TOKENIZER_FILES)


def merged_config(written: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """The base's config.json keys with the merged model's values; base-only keys (auto_map) unchanged.

    A key the merged model writes but the base lacks is kept only when reading the file back without it
    would give another value (the tiny preset's `vision_config`); transformers' generic defaults
    (`id2label`, `return_dict`, ...) are left out, so a real checkpoint's keys stay exactly the official ones.
    """
    from productlens.finetune.phi3v import Phi3VConfig

    merged = {key: written.get(key, value) for key, value in base.items()}
    # compared as JSON values: the file's id2label has string keys where the config's has ints
    rebuilt = json.loads(json.dumps(Phi3VConfig(**merged).to_official_dict()))
    for key, value in written.items():
        if key not in merged and rebuilt.get(key) != value:
            merged[key] = value
    return merged


def carry_base_files(base: Path, dest: Path) -> list[str]:
    """Copy the base's non-weight files into `dest` and give dest/config.json the base's keys.

    Returns the names copied. `dest` already holds the merged weights and their config.json.
    """
    copied = []
    for path in carried_files(base):
        shutil.copyfile(path, dest / path.name)
        copied.append(path.name)
    config_path = dest / CONFIG_NAME
    written = read_json(config_path)
    base_config = read_json(base / CONFIG_NAME)
    write_json(config_path, merged_config(written, base_config))
    return copied
