"""merged/ as a drop-in copy of the base checkpoint: its remote-code files and auto_map carried unchanged,
and `finetune --merge` on a finished run merging without training again."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from productlens.finetune.cli import main
from productlens.finetune.phi3v import build_tiny, load_phi3v
from productlens.generate.taxonomy import title_vocabulary
from safetensors import safe_open

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "phi3v-reference" / "phi-3-vision-128k-instruct"
AUTO_MAP = {
    "AutoConfig": "configuration_phi3_v.Phi3VConfig",
    "AutoModelForCausalLM": "modeling_phi3_v.Phi3VForCausalLM",
}
# Stand-ins for the hub's remote code: merged/ must carry them, and nothing may ever import them.
REMOTE_CODE = {
    name: f'"""Stand-in for the hub\'s {name}."""\nraise RuntimeError("productlens imported {name}")\n'
    for name in ("configuration_phi3_v.py", "modeling_phi3_v.py", "processing_phi3_v.py")
}
# The tiny preset's tower is not CLIP-L, and its small vocabulary has its own pad id (the official file has
# neither key: the defaults, CLIP-L and 32000, apply).
TINY_ONLY_KEYS = {"vision_config", "pad_token_id"}
OFFICIAL_KEYS = {  # the keys of the official config.json besides what the model itself writes
    "auto_map": AUTO_MAP,
    "_attn_implementation": "sdpa",
    "_name_or_path": "Phi-3-vision-128k-instruct",
}


def write_base(directory: Path) -> Path:
    """The tiny model saved like an official checkpoint: remote code, auto_map, processor configs, licence."""
    model, processor = build_tiny(title_vocabulary(), seed=3)
    model.save_pretrained(directory)
    processor.save_pretrained(directory)
    config = json.loads((directory / "config.json").read_text())
    if REFERENCE.is_dir():  # the official file's keys only, plus what differs in the tiny preset
        official = json.loads((REFERENCE / "config.json").read_text())
        config = {key: value for key, value in config.items() if key in official or key in TINY_ONLY_KEYS}
    (directory / "config.json").write_text(json.dumps({**config, **OFFICIAL_KEYS}, indent=2))
    for name, text in REMOTE_CODE.items():
        (directory / name).write_text(text)
    preprocessor = json.loads((directory / "preprocessor_config.json").read_text())
    preprocessor["auto_map"] = {"AutoProcessor": "processing_phi3_v.Phi3VProcessor"}
    (directory / "preprocessor_config.json").write_text(json.dumps(preprocessor, indent=1))
    (directory / "processor_config.json").write_text(
        '{"auto_map": {"AutoProcessor": "processing_phi3_v.Phi3VProcessor"}, "processor_class": "Phi3VProcessor"}'
    )
    (directory / "LICENSE").write_text("stand-in licence\n")
    return directory


def finetune(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def merged_run(sample_set, tmp_path_factory):
    base = write_base(tmp_path_factory.mktemp("base") / "Phi-3-vision-stand-in")
    run = tmp_path_factory.mktemp("runs") / "lora"
    options = ["--model", str(base), "--data", str(sample_set), "--output", str(run)]
    options += ["--lora-r", "4", "--max-steps", "2", "--batch-size", "2", "--eval-steps", "0"]
    trained = finetune(*options)
    assert trained.exit_code == 0, trained.output
    checkpoints = sorted(p.name for p in (run / "checkpoints").iterdir())
    merged = finetune(*options, "--merge")
    return base, run, checkpoints, trained, merged


@pytest.mark.slow
def test_merge_on_a_finished_run_merges_without_training(merged_run):
    _, run, checkpoints, _, merged = merged_run
    assert merged.exit_code == 0, merged.output
    assert "holds a finished run: merging its adapter, no training" in " ".join(merged.output.split())
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == checkpoints  # no new steps
    record = json.loads((run / "run.json").read_text())
    assert record["merged"] == "merged" and record["global_step"] == 2
    model, _ = load_phi3v(run / "merged")  # loads here without PEFT, and without the remote code
    assert not any("lora" in name for name in model.state_dict())


@pytest.mark.slow
def test_merged_holds_every_non_weight_file_of_the_base_byte_identical(merged_run):
    base, run, *_ = merged_run
    rewritten = ("config.json", "model.safetensors.index.json")  # describe the new weights
    carried = [p for p in base.iterdir() if p.suffix != ".safetensors" and p.name not in rewritten]
    expected = {*REMOTE_CODE, "tokenizer.json", "preprocessor_config.json", "processor_config.json"}
    assert {p.name for p in carried} >= {*expected, "generation_config.json", "LICENSE"}
    for path in carried:
        assert (run / "merged" / path.name).read_bytes() == path.read_bytes(), path.name
    config = json.loads((run / "merged" / "config.json").read_text())
    assert config["auto_map"] == AUTO_MAP
    assert config["torch_dtype"] == "bfloat16"  # the merged weights' values, not the base's


def normalised(names) -> set[str]:
    """Weight names with layer numbers replaced (the tiny preset has fewer layers than the official model)."""
    return {re.sub(r"\.\d+\.", ".N.", name) for name in names}


@pytest.mark.slow
@pytest.mark.skipif(not REFERENCE.is_dir(), reason="../shared/phi3v-reference is absent")
def test_merged_weight_names_and_config_keys_are_the_official_layout(merged_run):
    _, run, *_ = merged_run
    names = []
    for shard in (run / "merged").glob("*.safetensors"):
        with safe_open(str(shard), framework="pt") as handle:
            names.extend(handle.keys())
    official = json.loads((REFERENCE / "model.safetensors.index.json").read_text())["weight_map"]
    assert normalised(names) == normalised(official)
    config = json.loads((run / "merged" / "config.json").read_text())
    official_config = json.loads((REFERENCE / "config.json").read_text())
    assert set(config) == set(official_config) | TINY_ONLY_KEYS
