"""The image embedding: section 5's token order, and placement at the placeholder positions."""

from __future__ import annotations

import pytest
import torch
from productlens.finetune.phi3v import TinySpec, build_tiny
from productlens.generate.taxonomy import title_vocabulary


def hand_made_features(crops: torch.Tensor, grid: int, width: int) -> torch.Tensor:
    """(n, grid * grid, width) features whose first three values say (crop, patch row, patch column)."""
    n = crops.shape[0]
    features = torch.zeros(n, grid * grid, width)
    features[:, :, 0] = torch.arange(n, dtype=torch.float)[:, None]
    features[:, :, 1] = (torch.arange(grid * grid) // grid).float()
    features[:, :, 2] = (torch.arange(grid * grid) % grid).float()
    return features


def merged(crop: int, i: int, j: int, width: int) -> torch.Tensor:
    """Merged token (i, j) of a crop: patches (2i,2j), (2i,2j+1), (2i+1,2j), (2i+1,2j+1) concatenated."""
    parts = []
    for a, b in ((0, 0), (0, 1), (1, 0), (1, 1)):
        part = torch.zeros(width)
        part[:3] = torch.tensor([crop, 2 * i + a, 2 * j + b], dtype=torch.float)
        parts.append(part)
    return torch.cat(parts)


def test_image_tokens_follow_the_sub_glb_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    model, _ = build_tiny(title_vocabulary(), seed=0, spec=TinySpec(num_crops=2))
    embedding = model.model.vision_embed_tokens
    grid, width = 8, 64  # crop 64 / patch 8; CLIP width 64
    t = grid // 2
    monkeypatch.setattr(
        embedding.img_processor, "features", lambda crops: hand_made_features(crops, grid, width)
    )
    monkeypatch.setattr(embedding, "img_projection", torch.nn.Identity())
    with torch.no_grad():
        embedding.sub_GN.fill_(-1.0)
        embedding.glb_GN.fill_(-2.0)
    h, w = 1, 2  # a 64 x 128 (H x W) padded image: one row of two tiles
    out = embedding(torch.zeros(1, 3, 3, 64, 64), torch.tensor([[64, 128]]))

    sub_gn, glb_gn = torch.full((4 * width,), -1.0), torch.full((4 * width,), -2.0)
    rows = []
    for r in range(h * t):
        for c in range(w * t):
            rows.append(merged(1 + (r // t) * w + c // t, r % t, c % t, width))  # tiles stitched row-major
        rows.append(sub_gn)
    rows.append(glb_gn)
    for i in range(t):
        rows.extend(merged(0, i, j, width) for j in range(t))
        rows.append(sub_gn)
    expected = torch.stack(rows)
    assert out.shape == expected.shape == ((h * w + 1) * t * t + 1 + (h + 1) * t, 4 * width)
    assert torch.equal(out, expected)
    assert embedding.tokens_per_image(torch.tensor([[64, 128]])) == [out.shape[0]]


def test_features_are_written_row_major_at_the_placeholders(monkeypatch: pytest.MonkeyPatch) -> None:
    model, _ = build_tiny(title_vocabulary(), seed=0)
    hidden = model.config.hidden_size
    features = torch.arange(5 * hidden, dtype=torch.float).reshape(5, hidden)
    monkeypatch.setattr(
        model.model.vision_embed_tokens, "forward", lambda pixel_values, image_sizes: features
    )
    input_ids = torch.tensor([[5, -1, -1, 7], [-1, 9, -2, -2]])
    before = input_ids.clone()
    with torch.no_grad():
        embeds = model.model.embed_inputs(
            input_ids, torch.zeros(2, 2, 3, 64, 64), torch.tensor([[64, 64]] * 2)
        )
        tokens = model.model.embed_tokens.weight
    for k, (row, col) in enumerate([(0, 1), (0, 2), (1, 0), (1, 2), (1, 3)]):
        assert torch.equal(embeds[row, col], features[k])
    for row, col, token in [(0, 0, 5), (0, 3, 7), (1, 1, 9)]:
        assert torch.equal(embeds[row, col], tokens[token])
    assert torch.equal(input_ids, before)
    with pytest.raises(
        ValueError, match="Image features and image tokens do not match: tokens 4, features 5"
    ):
        model.model.embed_inputs(input_ids[:, :3], torch.zeros(2, 2, 3, 64, 64), torch.tensor([[64, 64]] * 2))
    with pytest.raises(ValueError, match="no image placeholders"):
        model.model.embed_inputs(
            torch.tensor([[5, 7]]), torch.zeros(1, 2, 3, 64, 64), torch.tensor([[64, 64]])
        )
