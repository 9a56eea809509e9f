"""Phi3VForCausalLM: official names and size, save/load in the official layout, padding, generation, RoPE."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from PIL import Image
from productlens.finetune.phi3v import Phi3VConfig, Phi3VForCausalLM, TinySpec, build_tiny, load_phi3v
from productlens.finetune.phi3v.modeling import build_model, load_model_dir
from productlens.finetune.phi3v.weights import (
    INDEX_NAME,
    flash_attention_available,
    resolve_attn_implementation,
)
from productlens.generate.taxonomy import title_vocabulary

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "phi3v-reference"
OFFICIAL_128K = REFERENCE / "phi-3-vision-128k-instruct"
needs_reference = pytest.mark.skipif(not OFFICIAL_128K.is_dir(), reason="../shared/phi3v-reference is absent")

PROMPT = "<|user|>\n<|image_1|>\nWhat is shown in this image?<|end|>\n<|assistant|>\n"
TEXT_ONLY = "<|user|>\nBlack Leather Bag<|end|>\n<|assistant|>\n"
WORDS = title_vocabulary()  # the tiny tokenizer's words, as finetune passes them


@pytest.fixture(scope="module")
def tiny():
    return build_tiny(WORDS, seed=0)


def photo(width: int, height: int, seed: int) -> Image.Image:
    generator = torch.Generator().manual_seed(seed)
    pixels = torch.randint(0, 256, (height, width, 3), generator=generator, dtype=torch.uint8)
    return Image.fromarray(pixels.numpy())


def two_samples(processor, padding_side: str = "right", targets: bool = False):
    texts = [PROMPT, TEXT_ONLY]
    images = [[photo(90, 60, 1)], []]
    answer = [
        "Product: Black Bag, Category: BAGS, Full Price: 1290<|end|>\n<|endoftext|>",
        "x<|end|>\n<|endoftext|>",
    ]
    return (
        texts,
        images,
        processor(texts, images, padding_side=padding_side, targets=answer if targets else None),
    )


@needs_reference
def test_official_config_on_meta_has_the_official_size_and_names() -> None:
    config = Phi3VConfig.from_json_file_or_dir(OFFICIAL_128K)
    model = build_model(config, torch.bfloat16, "sdpa", device="meta")
    assert sum(p.numel() for p in model.parameters()) == 4_146_621_440
    official = json.loads((OFFICIAL_128K / "model.safetensors.index.json").read_text())["weight_map"]
    assert set(model.state_dict()) == set(official)


@needs_reference
@pytest.mark.parametrize("name", ["phi-3-vision-128k-instruct", "phi-3.5-vision-instruct"])
def test_official_config_reads_as_is_and_writes_back(tmp_path: Path, name: str) -> None:
    config = Phi3VConfig.from_json_file_or_dir(REFERENCE / name)
    assert config._attn_implementation == "flash_attention_2"  # as written in the file
    if not flash_attention_available():
        assert resolve_attn_implementation(None, config) == "sdpa"
        with pytest.raises(ValueError, match="flash-attn package"):
            resolve_attn_implementation("flash_attention_2", config)
    assert config.rope_parameters["rope_type"] == "longrope"
    assert config.rope_parameters["original_max_position_embeddings"] == 4096
    assert len(config.rope_parameters["long_factor"]) == 48
    assert config.embd_layer["hd_transform_order"] == "sub_glb"
    assert config.clip_config().num_hidden_layers == 24
    config.save_pretrained(tmp_path)
    written = json.loads((tmp_path / "config.json").read_text())
    original = json.loads((REFERENCE / name / "config.json").read_text())
    assert "auto_map" not in written
    for key in ("model_type", "embd_layer", "img_processor", "rope_scaling", "hidden_size", "vocab_size"):
        assert written[key] == original[key], key
    again = Phi3VConfig.from_json_file_or_dir(tmp_path)
    assert again.to_official_dict() == config.to_official_dict()


def test_tiny_saved_in_the_official_layout_loads_back_to_identical_logits(tiny, tmp_path: Path) -> None:
    model, processor = tiny
    model.save_pretrained(tmp_path, max_shard_size="1MB")
    processor.save_pretrained(tmp_path)
    index = json.loads((tmp_path / INDEX_NAME).read_text())
    assert len(set(index["weight_map"].values())) >= 2
    assert set(index["weight_map"]) == set(model.state_dict())
    for name in ("config.json", "tokenizer.json", "preprocessor_config.json", "generation_config.json"):
        assert (tmp_path / name).is_file(), name
    loaded, loaded_processor = load_phi3v(tmp_path)
    _, _, batch = two_samples(processor)
    _, _, batch_again = two_samples(loaded_processor)
    assert torch.equal(batch["input_ids"], batch_again["input_ids"])
    with torch.no_grad():
        assert torch.equal(model(**batch).logits, loaded(**batch_again).logits)
    assert loaded.generation_config.eos_token_id == processor.stop_token_ids
    assert (
        Phi3VForCausalLM.from_pretrained(tmp_path).generation_config.eos_token_id == processor.stop_token_ids
    )


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_half_precision_checkpoints_load_in_their_dtype(tiny, tmp_path: Path, dtype: torch.dtype) -> None:
    model, _ = tiny
    model.save_pretrained(tmp_path, dtype=dtype)
    assert json.loads((tmp_path / "config.json").read_text())["torch_dtype"] == str(dtype).removeprefix(
        "torch."
    )
    loaded = Phi3VForCausalLM.from_pretrained(tmp_path)
    assert {p.dtype for p in loaded.parameters()} == {dtype}
    as_float = load_model_dir(tmp_path, dtype="float32")
    reference = model.lm_head.weight.to(dtype).float()
    assert torch.equal(as_float.lm_head.weight, reference)


def test_pickle_only_directories_are_refused(tiny, tmp_path: Path) -> None:
    model, _ = tiny
    model.config.save_pretrained(tmp_path)
    (tmp_path / "pytorch_model.bin").write_bytes(b"not loaded")
    with pytest.raises(ValueError, match="safetensors only"):
        load_phi3v(tmp_path)


@pytest.mark.parametrize("side", ["right", "left"])
def test_batched_forward_equals_per_sample_forward(tiny, side: str) -> None:
    model, processor = tiny
    texts, images, batch = two_samples(processor, padding_side=side)
    ids_before = batch["input_ids"].clone()
    with torch.no_grad():
        batched = model(**batch).logits
        for row, (text, group) in enumerate(zip(texts, images, strict=True)):
            single = processor([text], [group])
            logits = model(**single).logits[0]
            n = logits.shape[0]
            part = batched[row, :n] if side == "right" else batched[row, -n:]
            torch.testing.assert_close(part, logits, atol=1e-5, rtol=1e-5)
    assert torch.equal(batch["input_ids"], ids_before)  # the caller's ids (negative placeholders) untouched


def test_loss_ignores_prompt_and_padding_and_refuses_placeholder_labels(tiny) -> None:
    model, processor = tiny
    _, _, batch = two_samples(processor, targets=True)
    loss = model(**batch).loss
    assert torch.isfinite(loss)
    bad = dict(batch)
    bad["labels"] = batch["input_ids"]
    with pytest.raises(ValueError, match="image placeholders must be masked with -100"):
        model(**bad)


def test_sdpa_and_eager_attention_agree(tiny) -> None:
    model, processor = tiny
    _, _, batch = two_samples(processor)
    eager, _ = build_tiny(WORDS, seed=0, attn_implementation="eager")
    with torch.no_grad():
        torch.testing.assert_close(model(**batch).logits, eager(**batch).logits, atol=1e-5, rtol=1e-4)


def test_gradient_checkpointing_gives_the_same_gradients_and_unused_clip_parts_are_frozen() -> None:
    model, processor = build_tiny(WORDS, seed=1)
    model.train()
    _, _, batch = two_samples(processor, targets=True)
    model(**batch).loss.backward()
    plain = {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}
    frozen = {n for n, p in model.named_parameters() if not p.requires_grad}
    clip = "model.vision_embed_tokens.img_processor.vision_model."
    assert frozen == {
        n
        for n, _ in model.named_parameters()
        if n.startswith((clip + "encoder.layers.1.", clip + "post_layernorm"))
    }
    assert set(plain) == {n for n, p in model.named_parameters() if p.requires_grad}  # DDP: nothing unused
    model.zero_grad()
    model.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})
    model(**batch).loss.backward()
    for name, grad in plain.items():
        torch.testing.assert_close(model.get_parameter(name).grad, grad, atol=1e-6, rtol=1e-4)


def test_greedy_generate_with_cache_equals_without_cache_and_stops_on_end(tiny) -> None:
    model, processor = tiny
    _, _, batch = two_samples(processor, padding_side="left")
    ids_before = batch["input_ids"].clone()
    cached = model.generate(**batch, max_new_tokens=12, do_sample=False)
    uncached = model.generate(**batch, max_new_tokens=12, do_sample=False, use_cache=False)
    assert torch.equal(cached, uncached)
    assert torch.equal(batch["input_ids"], ids_before)
    # Each sample alone gives the same tokens as in the left-padded batch.
    for row, (text, group) in enumerate(zip([PROMPT, TEXT_ONLY], [[photo(90, 60, 1)], []], strict=True)):
        alone = model.generate(**processor([text], [group]), max_new_tokens=12, do_sample=False)
        new = alone[0, -12:]
        assert torch.equal(cached[row, -12:][: len(new)], new)


@pytest.mark.parametrize("stop", ["<|end|>", "<|endoftext|>"])
def test_generation_stops_on_end_and_endoftext(stop: str) -> None:
    model, processor = build_tiny(WORDS, seed=2)
    stop_id = processor.tokenizer.convert_tokens_to_ids(stop)
    head = torch.nn.Linear(model.config.hidden_size, model.config.vocab_size, bias=True)
    with torch.no_grad():
        head.weight.zero_()
        head.bias.zero_()
        head.bias[stop_id] = 1.0  # the stop token is always the greedy choice
    model.lm_head = head
    batch = processor([TEXT_ONLY], [[]])
    out = model.generate(**batch, max_new_tokens=10)
    assert out[0, batch["input_ids"].shape[1] :].tolist() == [stop_id]


def test_long_rope_switch_and_cache_reset_on_a_short_config() -> None:
    model, processor = build_tiny(
        WORDS, seed=3, spec=TinySpec(original_max_position_embeddings=24, max_position_embeddings=96)
    )
    words = " ".join(["Black Leather Bag"] * 5)
    batch = processor([f"<|user|>\n{words}<|end|>\n<|assistant|>\n"], [[]])
    n = batch["input_ids"].shape[1]
    assert 16 < n <= 24
    with torch.no_grad():
        short = model(**batch).logits[0]
        longer = processor([f"<|user|>\n{words} {words}<|end|>\n<|assistant|>\n"], [[]])
        assert longer["input_ids"].shape[1] > 24
        prefix = model(**longer).logits[0, : n - 5]
    # A causal model gives the same prefix logits unless the RoPE factors changed: the switch happened.
    assert not torch.allclose(prefix, short[: n - 5], atol=1e-4)
    settings = {"max_new_tokens": 16, "min_new_tokens": 16, "do_sample": False}
    settings |= {"output_logits": True, "return_dict_in_generate": True}
    cached = model.generate(**batch, **settings)
    uncached = model.generate(**batch, use_cache=False, **settings)
    assert cached.sequences.shape[1] > 24
    assert torch.equal(cached.sequences, uncached.sequences)
    # Without the cache reset at the switch, keys cached with the short factors shift these logits by ~1e-2.
    torch.testing.assert_close(torch.stack(cached.logits), torch.stack(uncached.logits), atol=1e-5, rtol=0)


def test_text_only_training_batches_still_use_every_trainable_parameter() -> None:
    model, processor = build_tiny(WORDS, seed=4)
    model.train()
    batch = processor([TEXT_ONLY], [[]], targets=["x<|end|>\n<|endoftext|>"])
    model(**batch).loss.backward()
    unused = [n for n, p in model.named_parameters() if p.requires_grad and p.grad is None]
    assert unused == []  # DDP with find_unused_parameters=False and ZeRO-3 need this
    with_dummy = model(**batch).logits.detach()
    model.eval()
    with torch.no_grad():
        torch.testing.assert_close(model(**batch).logits, with_dummy)  # the dummy pass adds exactly zero


def test_beam_expansion_repeats_each_samples_images_as_a_block(tiny) -> None:
    model, processor = tiny
    texts = ["<|user|>\n<|image_1|>\n<|image_2|>\nWhat?<|end|>\n<|assistant|>\n", PROMPT]
    images = [[photo(64, 64, 1), photo(128, 64, 2)], [photo(64, 128, 3)]]
    batch = processor(texts, images, padding_side="left")
    rest = {k: v for k, v in batch.items() if k != "input_ids"}
    ids, kwargs = model._expand_inputs_for_generation(2, False, batch["input_ids"], **rest)
    a, b, c = batch["pixel_values"]
    expanded = kwargs["pixel_values"]
    assert len(expanded) == 6
    for got, want in zip(expanded, [a, b, a, b, c, c], strict=True):
        assert torch.equal(got, want)
    assert ids.shape[0] == 4
    out = model.generate(**batch, max_new_tokens=4, num_beams=2, num_return_sequences=2, do_sample=False)
    assert out.shape[0] == 4


@pytest.mark.skipif(not flash_attention_available(), reason="flash-attn and a CUDA GPU are needed")
def test_flash_attention_matches_sdpa_on_the_gpu(tmp_path: Path) -> None:
    model, processor = build_tiny(WORDS, seed=0)
    model.save_pretrained(tmp_path)
    processor.save_pretrained(tmp_path)
    sdpa, _ = load_phi3v(tmp_path, dtype="bfloat16", attn_implementation="sdpa")
    flash, _ = load_phi3v(tmp_path, dtype="bfloat16", attn_implementation="flash_attention_2")
    _, _, batch = two_samples(processor, padding_side="left")
    batch = batch.to("cuda")
    with torch.no_grad():
        a = sdpa.cuda()(**batch).logits.float()
        b = flash.cuda()(**batch).logits.float()
    mask = batch["attention_mask"].bool()
    torch.testing.assert_close(a[mask], b[mask], atol=5e-2, rtol=5e-2)
