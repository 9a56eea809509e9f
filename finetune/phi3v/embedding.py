"""The Phi-3-Vision image embedding (PHI3V.md section 5): CLIP crops -> 2x2-merged, separated, projected tokens.

Module names follow the official checkpoint (`model.vision_embed_tokens.*`): `img_processor.vision_model`
is transformers' CLIPVisionModel, `img_projection` the Linear-GELU-Linear projector, `glb_GN` and
`sub_GN` the learned separators. Only the real crops of each image go through CLIP (the zero padding
crops never reach a placeholder, so skipping them changes no output).
"""

from __future__ import annotations

import torch
from productlens.finetune.phi3v.config import Phi3VConfig
from torch import nn
from transformers import CLIPVisionConfig, CLIPVisionModel


class CLIPTower(nn.Module):
    """Holds CLIPVisionModel as `vision_model`, the prefix its weights have in the official checkpoint."""

    def __init__(self, config: CLIPVisionConfig) -> None:
        super().__init__()
        self.vision_model = CLIPVisionModel(config)

    def features(self, pixel_values: torch.Tensor) -> torch.Tensor:
        """Hidden state of layer -2 (input of the last encoder layer), CLS dropped: (n, grid * grid, d).

        The last encoder layer and post_layernorm are skipped, so they never receive gradients
        (they stay in the state dict for name parity and are frozen by `freeze_unused`).
        """
        clip = self.vision_model
        hidden = clip.embeddings(pixel_values.to(clip.embeddings.patch_embedding.weight.dtype))
        hidden = clip.pre_layrnorm(hidden)
        for layer in clip.encoder.layers[:-1]:
            hidden = layer(hidden, None)
        return hidden[:, 1:]  # (n, grid * grid, d)

    def unused_parameters(self) -> list[nn.Parameter]:
        """The last encoder layer and post_layernorm: in the checkpoint, never in the forward."""
        clip = self.vision_model
        return [*clip.encoder.layers[-1].parameters(), *clip.post_layernorm.parameters()]


def merge_2x2(features: torch.Tensor, grid: int) -> torch.Tensor:
    """(n, grid * grid, d) -> (n, grid/2, grid/2, 4d): token (i, j) = patches (2i,2j),(2i,2j+1),(2i+1,2j),(2i+1,2j+1)."""
    n, _, d = features.shape
    half = grid // 2
    merged = features.reshape(n, half, 2, half, 2, d)  # (n, i, a, j, b, d)
    return merged.permute(0, 1, 3, 2, 4, 5).reshape(n, half, half, 4 * d)  # (n, i, j, a * b * d)


class Phi3VImageEmbedding(nn.Module):
    """Crops -> projected image tokens, one row per placeholder, in the order the placeholders have."""

    def __init__(self, config: Phi3VConfig) -> None:
        super().__init__()
        clip_config = config.clip_config()
        image_size, patch_size = clip_config.image_size, clip_config.patch_size
        if not (isinstance(image_size, int) and isinstance(patch_size, int)):  # CLIPVisionConfig allows pairs
            raise ValueError(
                f"the image tower takes square crops: image_size and patch_size must be one number each; "
                f"got {image_size!r} and {patch_size!r}"
            )
        self.grid = image_size // patch_size
        self.crop_size = image_size
        width = 4 * clip_config.hidden_size
        self.img_processor = CLIPTower(clip_config)
        self.img_projection = nn.Sequential(
            nn.Linear(width, config.hidden_size), nn.GELU(), nn.Linear(config.hidden_size, config.hidden_size)
        )
        self.glb_GN = nn.Parameter(torch.zeros(1, 1, width))
        self.sub_GN = nn.Parameter(torch.zeros(1, 1, 1, width))
        self.freeze_unused()

    def freeze_unused(self) -> None:
        """requires_grad=False on the CLIP parts the forward skips, so DDP's unused-parameter check passes."""
        for parameter in self.img_processor.unused_parameters():
            parameter.requires_grad_(False)

    def tokens_per_image(self, image_sizes: torch.Tensor) -> list[int]:
        """Rows this module returns per image: (h w + 1) t^2 + 1 + (h + 1) t with t = grid / 2."""
        t = self.grid // 2
        out = []
        for height, width in image_sizes.tolist():
            h, w = int(height) // self.crop_size, int(width) // self.crop_size
            out.append((h * w + 1) * t * t + 1 + (h + 1) * t)
        return out

    def forward(self, pixel_values: torch.Tensor, image_sizes: torch.Tensor) -> torch.Tensor:
        """pixel_values (n_img, N + 1, 3, C, C), image_sizes (n_img, 2) -> (sum of tokens per image, hidden)."""
        if pixel_values.ndim != 5 or pixel_values.shape[0] != image_sizes.shape[0]:
            raise ValueError(
                f"pixel_values must be (n_images, num_crops + 1, 3, C, C) with one image_sizes row per image; got "
                f"{tuple(pixel_values.shape)} and {tuple(image_sizes.shape)}."
            )
        grids = [(int(hh) // self.crop_size, int(ww) // self.crop_size) for hh, ww in image_sizes.tolist()]
        real = [1 + h * w for h, w in grids]
        if max(real, default=0) > pixel_values.shape[1]:
            raise ValueError(
                f"image_sizes ask for up to {max(real)} crops but pixel_values hold {pixel_values.shape[1]} per image."
            )
        crops = torch.cat([pixel_values[i, :n] for i, n in enumerate(real)])  # (sum real, 3, C, C)
        merged = merge_2x2(self.img_processor.features(crops), self.grid)  # (sum real, t, t, 4d)
        merged = merged.to(self.glb_GN.dtype)
        t, width = merged.shape[1], merged.shape[-1]
        sequences = []
        for (h, w), image in zip(grids, torch.split(merged, real), strict=True):
            sub = image[1:].reshape(h, w, t, t, width).permute(0, 2, 1, 3, 4).reshape(h * t, w * t, width)
            sub = torch.cat([sub, self.sub_GN[0].expand(h * t, 1, width)], dim=1)  # (h t, w t + 1, 4d)
            glb = torch.cat([image[0], self.sub_GN[0].expand(t, 1, width)], dim=1)  # (t, t + 1, 4d)
            sequences += [sub.reshape(-1, width), self.glb_GN[0], glb.reshape(-1, width)]  # "sub_glb" order
        return self.img_projection(torch.cat(sequences))  # (sum tokens, hidden)
