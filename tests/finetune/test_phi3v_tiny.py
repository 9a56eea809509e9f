"""The tiny preset: its tokenizer built from given words, the loader entry points, and that the model can learn."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from productlens.finetune.phi3v import load_phi3v
from productlens.finetune.phi3v.tiny import TinySpec, build_tiny
from productlens.finetune.phi3v.tiny_tokenizer import SPECIAL_TOKENS, build_tiny_tokenizer
from productlens.generate.taxonomy import title_vocabulary

PROMPT = "<|user|>\n<|image_1|>\nWhat is shown in this image?<|end|>\n<|assistant|>\n"
WORDS = title_vocabulary()  # what finetune passes for the tiny preset (trained.open_model)
PHI3V = Path(__file__).resolve().parents[2] / "finetune" / "phi3v"


@pytest.fixture(scope="module")
def tokenizer():
    return build_tiny_tokenizer(WORDS)


def test_tokenizer_is_deterministic_and_has_the_phi3_special_tokens(tokenizer) -> None:
    again = build_tiny_tokenizer(list(reversed(WORDS)))
    assert again.backend_tokenizer.to_str() == tokenizer.backend_tokenizer.to_str()
    vocab = tokenizer.get_vocab()
    assert set(SPECIAL_TOKENS) <= set(vocab)
    assert (tokenizer.bos_token, tokenizer.eos_token, tokenizer.pad_token) == (
        "<s>",
        "<|endoftext|>",
        "<|endoftext|>",
    )
    ids = tokenizer("<|user|>\nhi<|end|>\n<|assistant|>\n").input_ids
    assert ids[0] == tokenizer.bos_token_id and ids.count(tokenizer.bos_token_id) == 1
    assert tokenizer.convert_tokens_to_ids("<|end|>") in ids
    assert tokenizer("").input_ids == [tokenizer.bos_token_id]
    assert tokenizer("Bag", add_special_tokens=False).input_ids[0] != tokenizer.bos_token_id


def test_product_words_are_single_tokens_and_digits_single_characters(tokenizer) -> None:
    words = WORDS
    assert sum(word.isalpha() for word in words) > 0.9 * len(words)
    for word in words:  # punctuation inside a word ("T-SHIRTS") is split off by the byte-level pre-tokenizer
        pieces = 1 if word.isalpha() else 3
        assert len(tokenizer(" " + word, add_special_tokens=False).input_ids) <= pieces, word
    assert len(tokenizer("1290", add_special_tokens=False).input_ids) == 4


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=0, max_size=40))
def test_any_text_round_trips_exactly(tokenizer, text: str) -> None:
    ids = tokenizer(text, add_special_tokens=False).input_ids
    assert tokenizer.decode(ids, skip_special_tokens=False, clean_up_tokenization_spaces=False) == text


def test_titles_and_prices_round_trip(tokenizer) -> None:
    text = (
        "Product: Black Leather Bag, Category: BAGS, Full Price: 1,290.50 € (¥ 203 000)<|end|>\n<|endoftext|>"
    )
    ids = tokenizer(text, add_special_tokens=False).input_ids
    assert tokenizer.decode(ids) == text


def test_sizes_are_overridable_and_the_crop_gives_16_tokens() -> None:
    model, processor = build_tiny(["Bag"], seed=0, spec=TinySpec(hidden_size=64, num_attention_heads=2))
    assert model.config.hidden_size == 64
    assert processor.image_processor.tokens_per_crop == 16
    assert processor.image_processor.num_crops == 1
    assert len(processor.tokenizer) < 400  # 256 bytes + specials + the template words


def test_load_phi3v_tiny_and_num_crops_override() -> None:
    model, processor = load_phi3v("tiny", num_crops=2, dtype="bfloat16", tiny_words=WORDS)
    assert processor.image_processor.num_crops == 2
    assert model.lm_head.weight.dtype == torch.bfloat16
    batch = processor([PROMPT], [[Image.new("RGB", (128, 64))]])
    assert model(**batch).logits.dtype == torch.bfloat16


def test_tiny_needs_its_words() -> None:
    with pytest.raises(ValueError, match="pass tiny_words"):
        load_phi3v("tiny")


def test_unusable_attention_choices_are_refused_clearly() -> None:
    with pytest.raises(ValueError, match="attn_implementation must be eager, sdpa or flash_attention_2"):
        load_phi3v("tiny", attn_implementation="paged", tiny_words=WORDS)
    with pytest.raises(ValueError, match="flash"):
        load_phi3v("tiny", attn_implementation="flash_attention_2", dtype="float32", tiny_words=WORDS)
    model, _ = load_phi3v("tiny", attn_implementation="eager", tiny_words=WORDS)
    assert model.config._attn_implementation == "eager"


def test_unreachable_hub_ids_fail_with_a_fix(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    import huggingface_hub

    def offline(**kwargs):
        raise OSError("offline")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", offline)
    with pytest.raises(FileNotFoundError, match="huggingface-cli download"):
        load_phi3v("microsoft/Phi-3-vision-128k-instruct")
    with pytest.raises(FileNotFoundError, match="missing does not exist"):
        load_phi3v(tmp_path / "missing")
    (tmp_path / "runs").mkdir()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="runs/tiny does not exist"):  # owner/name-shaped, yet local
        load_phi3v("runs/tiny")


@pytest.mark.slow
def test_tiny_model_learns_to_read_the_image() -> None:
    """Four plain-colour photos with four answers: after a short overfit, greedy answers depend on the image."""
    model, processor = build_tiny(WORDS, seed=0)
    answers = {
        "red": "Product: Red Leather Bag, Category: BAGS, Full Price: 1290",
        "blue": "Product: Blue Silk Scarf, Category: SCARVES, Full Price: 450",
        "green": "Product: Green Cotton Coat, Category: COATS, Full Price: 2100",
        "black": "Product: Black Cap, Category: CAPS, Full Price: 320",
    }
    images = [[Image.new("RGB", (100, 80), colour)] for colour in answers]
    targets = [a + "<|end|>\n<|endoftext|>" for a in answers.values()]
    batch = processor([PROMPT] * 4, images, targets=targets)
    torch.manual_seed(0)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=3e-3)
    model.train()
    for _ in range(60):
        loss = model(**batch).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.eval()
    prompts = processor([PROMPT] * 4, images, padding_side="left")
    out = model.generate(**prompts, max_new_tokens=40)
    assert processor.batch_decode(out[:, prompts["input_ids"].shape[1] :]) == list(answers.values())


def test_four_bit_loading_swaps_the_decoder_linears_or_says_what_is_missing() -> None:
    from transformers import BitsAndBytesConfig

    quantization = BitsAndBytesConfig(
        load_in_4bit=True, bnb_4bit_quant_type="nf4", llm_int8_skip_modules=["vision_embed_tokens", "lm_head"]
    )
    try:
        import bitsandbytes  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match=r"productlens\[qlora\]"):
            load_phi3v("tiny", quantization_config=quantization, tiny_words=WORDS)
        return
    model, _ = load_phi3v("tiny", quantization_config=quantization, tiny_words=WORDS)
    assert type(model.model.layers[0].self_attn.qkv_proj).__name__ == "Linear4bit"
    assert type(model.lm_head) is torch.nn.Linear
    assert type(model.model.vision_embed_tokens.img_projection[0]) is torch.nn.Linear
    assert model.is_loaded_in_4bit
