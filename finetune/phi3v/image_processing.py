"""The Phi-3-Vision image processor: the "HD transform" (PHI3V.md section 3), with the crop size as a parameter.

One image becomes `num_crops + 1` crops of `crop_size` x `crop_size`: a global view of the whole
(padded) image, then the tiles of a high-resolution version in row-major order, zero-padded to a
fixed count. The number of placeholder tokens the prompt needs for the image follows from the tile
grid. With crop 336 and patch 14 (the real model) this matches the official processor exactly; a
small crop (the tiny preset) uses the same formula with `grid = crop_size / patch_size`.
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from productlens.core.image_modes import to_rgb  # shared with sample-gen import
from productlens.core.json_files import read_json, write_json

PREPROCESSOR_CONFIG = "preprocessor_config.json"
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
# PIL's own decompression-bomb threshold (Image.MAX_IMAGE_PIXELS default), applied to images already opened.
DEFAULT_MAX_PIXELS = 89_478_485


@dataclass
class ImageProcessorConfig:
    """Settings of the HD transform; `preprocessor_config.json` holds them (official keys kept)."""

    num_crops: int = field(
        default=16, metadata={"help": "Most high-resolution tiles per image (16: 128k, 4: 3.5)."}
    )
    crop_size: int = field(
        default=336, metadata={"help": "Side of one crop in pixels (336 for the real models)."}
    )
    patch_size: int = field(default=14, metadata={"help": "CLIP patch side; grid = crop_size / patch_size."})
    image_mean: tuple[float, ...] = field(
        default=CLIP_MEAN, metadata={"help": "Per-channel mean (OpenAI CLIP)."}
    )
    image_std: tuple[float, ...] = field(
        default=CLIP_STD, metadata={"help": "Per-channel std (OpenAI CLIP)."}
    )
    max_pixels: int = field(
        default=DEFAULT_MAX_PIXELS, metadata={"help": "Larger images are refused as decompression bombs."}
    )

    def __post_init__(self) -> None:
        if self.num_crops < 1:
            raise ValueError(f"num_crops must be at least 1, got {self.num_crops}.")
        grid, rest = divmod(self.crop_size, self.patch_size)
        if rest or grid % 2:
            raise ValueError(
                f"crop_size {self.crop_size} must be an even multiple of patch_size {self.patch_size} "
                "(the 2x2 merge needs an even patch grid)."
            )
        self.image_mean = tuple(float(x) for x in self.image_mean)
        self.image_std = tuple(float(x) for x in self.image_std)


class ProcessedImages(NamedTuple):
    """The processor's output for a list of images."""

    pixel_values: torch.Tensor  # (n_images, num_crops + 1, 3, crop, crop) float32
    image_sizes: torch.Tensor  # (n_images, 2) long: [H, W] of the padded image, multiples of crop
    num_img_tokens: list[int]  # placeholder tokens per image


class Phi3VImageProcessor:
    """HD transform for Phi-3-Vision: PIL images -> crops, padded sizes and placeholder counts."""

    def __init__(self, config: ImageProcessorConfig | None = None, **overrides: object) -> None:
        base = asdict(config) if config is not None else {}
        self.config = ImageProcessorConfig(**{**base, **overrides})  # type: ignore[arg-type]

    # -- the numbers -------------------------------------------------------------------------------
    @property
    def num_crops(self) -> int:
        return self.config.num_crops

    @property
    def crop_size(self) -> int:
        return self.config.crop_size

    @property
    def tokens_per_row(self) -> int:
        """Merged tokens along one crop side: (crop / patch) / 2, 12 for the real model."""
        return self.config.crop_size // self.config.patch_size // 2

    @property
    def tokens_per_crop(self) -> int:
        """Merged tokens per crop: tokens_per_row squared, 144 for the real model."""
        return self.tokens_per_row**2

    def num_tokens_for_size(self, height: int, width: int) -> int:
        """Placeholder tokens for a padded image of H x W (multiples of crop_size)."""
        h, w = height // self.crop_size, width // self.crop_size
        return (h * w + 1) * self.tokens_per_crop + 1 + (h + 1) * self.tokens_per_row

    def padded_size(self, width: int, height: int) -> tuple[int, int]:
        """[H, W] of the padded image the HD transform makes from a W x H image (no pixels touched)."""
        landscape_w, landscape_h = (height, width) if width < height else (width, height)
        new_w, new_h = self._resized(landscape_w, landscape_h)
        padded_h = math.ceil(new_h / self.crop_size) * self.crop_size
        return (new_w, padded_h) if width < height else (padded_h, new_w)

    def num_tokens_for_image(self, width: int, height: int) -> int:
        """Placeholder tokens for a W x H input image."""
        return self.num_tokens_for_size(*self.padded_size(width, height))

    def _resized(self, width: int, height: int) -> tuple[int, int]:
        ratio = width / height
        scale = 1
        while scale * math.ceil(scale / ratio) <= self.num_crops:
            scale += 1
        scale -= 1
        new_w = int(scale * self.crop_size)
        # max(1, ...) only matters for absurd ratios (e.g. 10000 x 1) where the official code crashes.
        return new_w, max(1, int(new_w / ratio))

    # -- the transform -----------------------------------------------------------------------------
    def check_image(self, image: Image.Image, index: int = 0) -> None:
        """Refuse empty images and decompression bombs with a message naming the image."""
        width, height = image.size
        if width <= 0 or height <= 0:
            raise ValueError(
                f"Image {index} is empty ({width} x {height} pixels); remove it or fix the source file."
            )
        if width * height > self.config.max_pixels:
            raise ValueError(
                f"Image {index} has {width} x {height} = {width * height:,} pixels, more than max_pixels "
                f"{self.config.max_pixels:,} (a possible decompression bomb). Downscale it, or raise max_pixels "
                "in the image processor config if the file is trusted."
            )

    def hd_image(self, image: Image.Image) -> Image.Image:
        """Steps 1-4: RGB, resize to the tile grid, pad the short side with white to a multiple of crop."""
        image = to_rgb(image)
        transposed = image.width < image.height
        if transposed:
            image = image.transpose(Image.Transpose.TRANSPOSE)
        new_w, new_h = self._resized(image.width, image.height)
        image = image.resize((new_w, new_h), Image.Resampling.BILINEAR)
        target_h = math.ceil(new_h / self.crop_size) * self.crop_size
        top = (target_h - new_h) // 2
        padded = Image.new("RGB", (new_w, target_h), (255, 255, 255))
        padded.paste(image, (0, top))
        return padded.transpose(Image.Transpose.TRANSPOSE) if transposed else padded

    def crops(self, image: Image.Image, out: torch.Tensor | None = None) -> tuple[torch.Tensor, int]:
        """Steps 5-8 for one HD image: (num_crops + 1, 3, C, C) crops (written into `out` when given) and
        the number of real ones (global view + tiles)."""
        c = self.crop_size
        array = torch.from_numpy(np.asarray(image, dtype=np.uint8).copy())  # (H, W, 3)
        mean = torch.tensor(self.config.image_mean).view(3, 1, 1) * 255.0
        std = torch.tensor(self.config.image_std).view(3, 1, 1) * 255.0
        tensor = array.permute(2, 0, 1).float().sub_(mean).div_(std)  # (3, H, W), (x / 255 - mean) / std
        height, width = tensor.shape[1:]
        h, w = height // c, width // c
        if out is None:
            out = torch.empty(self.num_crops + 1, 3, c, c)
        out[0] = F.interpolate(tensor[None], size=(c, c), mode="bicubic", align_corners=False)[
            0
        ]  # global view
        tiles = tensor.view(3, h, c, w, c).permute(1, 3, 0, 2, 4)  # (h, w, 3, C, C): row-major tiles
        out[1 : 1 + h * w].view(h, w, 3, c, c).copy_(tiles)
        out[1 + h * w :].zero_()
        return out, 1 + h * w

    def __call__(self, images: list[Image.Image] | Image.Image) -> ProcessedImages:
        """Images -> ProcessedImages(pixel_values, image_sizes, num_img_tokens), in the order given."""
        if isinstance(images, Image.Image):
            images = [images]
        for index, image in enumerate(images):
            self.check_image(image, index)
        c = self.crop_size
        pixel_values = torch.empty(len(images), self.num_crops + 1, 3, c, c)
        sizes, tokens = [], []
        for index, image in enumerate(images):
            hd = self.hd_image(image)
            self.crops(hd, out=pixel_values[index])
            sizes.append((hd.height, hd.width))
            tokens.append(self.num_tokens_for_size(hd.height, hd.width))
        return ProcessedImages(pixel_values, torch.tensor(sizes, dtype=torch.long).reshape(-1, 2), tokens)

    # -- files -------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, object]:
        """preprocessor_config.json content: the official keys plus crop/patch size."""
        cfg = self.config
        return {
            "image_processor_type": "Phi3VImageProcessor",
            "processor_class": "Phi3VProcessor",
            "num_crops": cfg.num_crops,
            "num_img_tokens": self.tokens_per_crop,
            "crop_size": cfg.crop_size,
            "patch_size": cfg.patch_size,
            "image_mean": list(cfg.image_mean),
            "image_std": list(cfg.image_std),
            "do_convert_rgb": True,
            "max_pixels": cfg.max_pixels,
        }

    def save_pretrained(self, directory: str | os.PathLike[str]) -> Path:
        """Write preprocessor_config.json into `directory` (atomically); returns its path."""
        path = Path(directory) / PREPROCESSOR_CONFIG
        write_json(path, self.to_dict())
        return path

    @classmethod
    def from_pretrained(cls, directory: str | os.PathLike[str], **overrides: object) -> Phi3VImageProcessor:
        """Read preprocessor_config.json (official or ours); unknown keys such as auto_map are ignored."""
        path = Path(directory) / PREPROCESSOR_CONFIG
        if not path.is_file():
            raise FileNotFoundError(
                f"No {PREPROCESSOR_CONFIG} in {directory}; expected the image processor settings."
            )
        data = read_json(path)
        known = {f for f in ImageProcessorConfig.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        if "crop_size" not in data and "num_img_tokens" in data:
            # Official files carry only num_img_tokens (144 = (336 / 14 / 2) ** 2): the real CLIP-L/336.
            values.setdefault("crop_size", 336)
            values.setdefault("patch_size", 14)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(ImageProcessorConfig(**values))  # type: ignore[arg-type]
