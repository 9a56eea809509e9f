"""Phi-3-Vision image processor and processor: the HD transform numbers, token layout, batching, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from productlens.finetune.phi3v.image_processing import Phi3VImageProcessor
from productlens.finetune.phi3v.processing import IGNORE_INDEX, Phi3VProcessor
from productlens.finetune.phi3v.tiny import tiny_processor as build_tiny_processor
from productlens.generate.taxonomy import title_vocabulary

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "phi3v-reference"
OFFICIAL_128K = REFERENCE / "phi-3-vision-128k-instruct"
needs_reference = pytest.mark.skipif(not OFFICIAL_128K.is_dir(), reason="../shared/phi3v-reference is absent")

PROMPT = "<|user|>\n<|image_1|>\nWhat is shown in this image?<|end|>\n<|assistant|>\n"

# PHI3V.md section 3: (W, H) -> (grid h x w, tokens at N=16), tokens at N=4
TABLE = [
    ((336, 336), (4, 4), 2509, 757),
    ((1344, 1008), (3, 4), 1921, 757),
    ((1920, 1080), (3, 5), 2353, 757),
    ((500, 1000), (5, 3), 2377, 469),
]


@pytest.fixture(scope="module")
def official() -> Phi3VProcessor:
    if not OFFICIAL_128K.is_dir():
        pytest.skip("../shared/phi3v-reference is absent")
    return Phi3VProcessor.from_pretrained(OFFICIAL_128K)


@pytest.mark.parametrize(("size", "grid", "tokens16", "tokens4"), TABLE)
def test_token_counts_match_the_table(size, grid, tokens16, tokens4) -> None:
    image = Image.new("RGB", size, (120, 30, 200))
    out16 = Phi3VImageProcessor(num_crops=16)([image])
    assert out16.num_img_tokens == [tokens16]
    assert out16.image_sizes.tolist() == [[grid[0] * 336, grid[1] * 336]]
    assert out16.pixel_values.shape == (1, 17, 3, 336, 336)
    assert Phi3VImageProcessor(num_crops=4)([image]).num_img_tokens == [tokens4]


@needs_reference
def test_exact_ids_of_section_4_with_the_official_tokenizer(official: Phi3VProcessor) -> None:
    batch = official([PROMPT], [[Image.new("RGB", (1344, 1008), "white")]])
    expected = [1, 32010, 29871, 13] + [-1] * 1921
    expected += [1, 29871, 13, 5618, 338, 4318, 297, 445, 1967, 29973, 32007, 29871, 13, 32001]
    assert batch["input_ids"].tolist() == [expected]
    assert batch["attention_mask"].tolist() == [[1] * len(expected)]


@needs_reference
@pytest.mark.parametrize("num_crops", [16, 4])
def test_placeholder_counts_with_the_official_tokenizer(official: Phi3VProcessor, num_crops: int) -> None:
    processor = Phi3VProcessor(official.tokenizer, Phi3VImageProcessor(num_crops=num_crops))
    images = [[Image.new("RGB", size, "white")] for size, *_ in TABLE]
    batch = processor([PROMPT] * len(TABLE), images)
    column = 2 if num_crops == 16 else 3
    assert (batch["input_ids"] == -1).sum(dim=1).tolist() == [row[column] for row in TABLE]


@needs_reference
def test_phi35_preprocessor_config_reads_num_crops_4() -> None:
    processor = Phi3VProcessor.from_pretrained(REFERENCE / "phi-3.5-vision-instruct")
    assert processor.image_processor.num_crops == 4
    assert processor.image_processor.tokens_per_crop == 144


def test_small_crop_generalises_the_formula() -> None:
    processor = Phi3VImageProcessor(num_crops=4, crop_size=64, patch_size=8)
    assert (processor.tokens_per_crop, processor.tokens_per_row) == (16, 4)
    out = processor([Image.new("RGB", (128, 64))])
    assert out.image_sizes.tolist() == [[64, 128]]
    assert out.num_img_tokens == [(1 * 2 + 1) * 16 + 1 + (1 + 1) * 4]


def test_tall_images_are_tiled_in_their_own_orientation() -> None:
    # Top half red, bottom half blue: the first tile row must be red, the last blue.
    array = np.zeros((128, 64, 3), dtype=np.uint8)
    array[:64, :, 0] = 255
    array[64:, :, 2] = 255
    out = Phi3VImageProcessor(num_crops=2, crop_size=64, patch_size=8)([Image.fromarray(array)])
    assert out.image_sizes.tolist() == [[128, 64]]
    first, second = out.pixel_values[0, 1], out.pixel_values[0, 2]
    assert first[0].mean() > first[2].mean()
    assert second[2].mean() > second[0].mean()


def test_padding_is_white_and_centred() -> None:
    out = Phi3VImageProcessor(num_crops=1, crop_size=64, patch_size=8)([Image.new("RGB", (64, 32), "black")])
    white = (1.0 - torch.tensor(Phi3VImageProcessor().config.image_mean)) / torch.tensor(
        Phi3VImageProcessor().config.image_std
    )
    tile = out.pixel_values[0, 1]  # (3, 64, 64): 16 white rows, 32 black, 16 white
    assert torch.allclose(tile[:, :16].mean(dim=(1, 2)), white, atol=1e-4)
    assert torch.allclose(tile[:, 63].mean(dim=1), white, atol=1e-4)
    assert (tile[:, 16:48] < 0).all()


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P", "L", "1", "CMYK", "I;16", "I", "F"])
def test_any_pil_mode_is_accepted(mode: str) -> None:
    image = (
        Image.new("RGB", (40, 30), (128, 128, 128)).convert(mode) if mode not in ("I;16", "I", "F") else None
    )
    if mode == "I;16":
        image = Image.fromarray(np.full((30, 40), 32768, dtype=np.uint16))
        assert image.mode == "I;16"
    elif mode == "I":
        image = Image.fromarray(np.full((30, 40), 32768, dtype=np.int32))
    elif mode == "F":
        image = Image.fromarray(np.full((30, 40), 0.5, dtype=np.float32))
    out = Phi3VImageProcessor(num_crops=1, crop_size=64, patch_size=8)([image])
    assert torch.isfinite(out.pixel_values).all()
    if mode in ("I;16", "I", "F"):  # mid grey stays mid grey instead of clipping to white
        assert out.pixel_values[0, 1, 0, 32, 32].item() == pytest.approx(
            (128 / 255 - 0.48145466) / 0.26862954, abs=0.02
        )


def test_transparent_pixels_become_white() -> None:
    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    out = Phi3VImageProcessor(num_crops=1, crop_size=64, patch_size=8)([image])
    assert out.pixel_values[0, 1, 0].mean().item() == pytest.approx((1 - 0.48145466) / 0.26862954, abs=1e-4)


def test_empty_and_huge_images_are_refused_clearly() -> None:
    processor = Phi3VImageProcessor(num_crops=1, crop_size=64, patch_size=8, max_pixels=10_000)
    with pytest.raises(ValueError, match=r"Image 1 is empty \(0 x 5 pixels\)"):
        processor([Image.new("RGB", (5, 5)), Image.new("RGB", (0, 5))])
    with pytest.raises(ValueError, match="decompression bomb"):
        processor([Image.new("RGB", (200, 100))])


@pytest.fixture(scope="module")
def tiny_processor() -> Phi3VProcessor:
    return build_tiny_processor(title_vocabulary())


def test_tag_and_image_count_mismatches_are_errors(tiny_processor: Phi3VProcessor) -> None:
    image = Image.new("RGB", (64, 64))
    with pytest.raises(ValueError, match=r"Sample 0: the prompt has 1 <\|image_k\|> tag\(s\) but 2 image"):
        tiny_processor(["<|image_1|>hi"], [[image, image]])
    with pytest.raises(ValueError, match="consecutive"):
        tiny_processor(["<|image_2|><|image_1|>"], [[image, image]])
    with pytest.raises(ValueError, match="consecutive"):
        tiny_processor(["<|image_1|><|image_3|>"], [[image, image]])
    with pytest.raises(ValueError, match="2 prompts but 1 image lists"):
        tiny_processor(["a", "b"], [[]])


def test_batches_pad_right_or_left_and_keep_the_final_endoftext(tiny_processor: Phi3VProcessor) -> None:
    image = Image.new("RGB", (64, 64))
    texts = [
        "<|user|>\n<|image_1|>\nWhat?<|end|>\n<|assistant|>\n",
        "<|user|>\nno image<|end|>\n<|assistant|>\n",
    ]
    targets = ["Product: Bag<|end|>\n<|endoftext|>", "x<|end|>\n<|endoftext|>"]
    single = [
        tiny_processor([t], [imgs], targets=[g])
        for t, imgs, g in zip(texts, [[image], []], targets, strict=False)
    ]
    lengths = [s["input_ids"].shape[1] for s in single]
    pad = tiny_processor.pad_token_id
    for side in ("right", "left"):
        batch = tiny_processor(texts, [[image], []], padding_side=side, targets=targets)
        assert batch["attention_mask"].sum(dim=1).tolist() == lengths
        short = batch["input_ids"][1]
        real = short[: lengths[1]] if side == "right" else short[-lengths[1] :]
        assert real.tolist() == single[1]["input_ids"][0].tolist()
        assert real[-1].item() == pad  # the real final <|endoftext|> equals pad and is not masked
        labels = batch["labels"][1]
        padding = labels[lengths[1] :] if side == "right" else labels[: -lengths[1]]
        assert (padding == IGNORE_INDEX).all()
    batch = tiny_processor(texts, [[image], []], targets=targets)
    assert (batch["labels"][0][batch["input_ids"][0] < 0] == IGNORE_INDEX).all()
    answer = tiny_processor.target_ids(targets[0])
    assert batch["labels"][0][lengths[0] - len(answer) : lengths[0]].tolist() == answer
    assert batch["pixel_values"].shape[0] == 1


def test_processor_round_trips_through_a_directory(tiny_processor: Phi3VProcessor, tmp_path: Path) -> None:
    tiny_processor.save_pretrained(tmp_path)
    loaded = Phi3VProcessor.from_pretrained(tmp_path)
    assert loaded.image_processor.to_dict() == tiny_processor.image_processor.to_dict()
    text = "<|user|>\nBlack Leather Bag, 1,290.50 €<|end|>"
    assert loaded.tokenizer(text).input_ids == tiny_processor.tokenizer(text).input_ids
    assert Phi3VProcessor.from_pretrained(tmp_path, num_crops=3).image_processor.num_crops == 3
