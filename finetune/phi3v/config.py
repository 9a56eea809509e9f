"""Phi3VConfig: transformers' Phi3Config plus the image-embedding settings of the official config.json.

Reads the official file as it is: `model_type: phi3_v`, `embd_layer`, `img_processor`, `rope_scaling`
of type "su" (transformers calls it longrope), an `auto_map` pointing at remote code (ignored), and
`_attn_implementation: flash_attention_2` (the loader falls back to SDPA when flash-attn is absent).
Writes the same layout back (`to_official_dict`), so merged weights load in tools that read the
official checkpoint; a non-default vision tower (the tiny preset) is written as `vision_config`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from huggingface_hub.dataclasses import strict
from productlens.core.json_files import read_json, write_json
from transformers import CLIPVisionConfig, Phi3Config

CONFIG_NAME = "config.json"
CLIP_L_336 = "openai/clip-vit-large-patch14-336"
# The vision tower inside the official checkpoint (PHI3V.md section 1).
CLIP_L_336_CONFIG: dict[str, Any] = {
    "hidden_size": 1024,
    "intermediate_size": 4096,
    "num_hidden_layers": 24,
    "num_attention_heads": 16,
    "image_size": 336,
    "patch_size": 14,
    "hidden_act": "quick_gelu",
    "layer_norm_eps": 1e-5,
    "projection_dim": 768,
}
DEFAULT_EMBD_LAYER: dict[str, Any] = {
    "embedding_cls": "image",
    "hd_transform_order": "sub_glb",
    "projection_cls": "mlp",
    "use_hd_transform": True,
    "with_learnable_separator": True,
}
DEFAULT_IMG_PROCESSOR: dict[str, Any] = {
    "image_dim_out": 1024,
    "model_name": CLIP_L_336,
    "name": "clip_vision_model",
    "num_img_tokens": 144,
}


@strict
class Phi3VConfig(Phi3Config):
    """Phi-3 text decoder settings + `embd_layer`, `img_processor` and an optional `vision_config`.

    vision_config: CLIPVisionConfig keyword arguments; None means CLIP ViT-L/14-336, the tower named by
    `img_processor.model_name` in the official config (its weights live in the Phi-3-V checkpoint).
    """

    model_type = "phi3_v"

    embd_layer: dict | None = None
    img_processor: dict | None = None
    vision_config: dict | None = None

    def __post_init__(self, **kwargs: Any) -> None:
        kwargs.pop("auto_map", None)  # remote code is never run
        self.embd_layer = {**DEFAULT_EMBD_LAYER, **(self.embd_layer or {})}
        self.img_processor = {**DEFAULT_IMG_PROCESSOR, **(self.img_processor or {})}
        if self.embd_layer["hd_transform_order"] != "sub_glb" or self.embd_layer["projection_cls"] != "mlp":
            raise ValueError(
                f"Only hd_transform_order 'sub_glb' with projection_cls 'mlp' is implemented (the official "
                f"checkpoints); config.json has {self.embd_layer}."
            )
        if self.vision_config is None and self.img_processor["model_name"] != CLIP_L_336:
            raise ValueError(
                f"img_processor.model_name is {self.img_processor['model_name']!r}; only {CLIP_L_336} is known. "
                "Give its settings as `vision_config` in config.json."
            )
        super().__post_init__(**kwargs)

    def convert_rope_params_to_dict(
        self, default_theta: float = 10_000.0, ignore_keys: Any = None, **kwargs: Any
    ):
        # The official file says rope_scaling {"type": "su", short_factor, long_factor}; transformers' Phi3
        # renames "su" after validation wants original_max_position_embeddings, so normalise it first.
        rope_scaling = kwargs.get("rope_scaling")
        if rope_scaling:
            rope_scaling = dict(rope_scaling)
            kind = rope_scaling.pop("type", None) or rope_scaling.get("rope_type")
            if kind in ("su", "longrope"):
                rope_scaling["rope_type"] = "longrope"
                original = rope_scaling.setdefault(
                    "original_max_position_embeddings",
                    kwargs.get("original_max_position_embeddings", self.original_max_position_embeddings),
                )
                # What transformers derives anyway (max / original); stated so it does not warn about it.
                rope_scaling.setdefault("factor", self.max_position_embeddings / original)
            elif kind is not None:
                rope_scaling["rope_type"] = kind
            kwargs["rope_scaling"] = rope_scaling
        return super().convert_rope_params_to_dict(default_theta, ignore_keys, **kwargs)

    # -- derived settings ------------------------------------------------------------------------
    def clip_config(self) -> CLIPVisionConfig:
        """The CLIPVisionConfig of the vision tower (attention implementation follows the decoder's)."""
        values = dict(self.vision_config) if self.vision_config is not None else dict(CLIP_L_336_CONFIG)
        values.pop("model_type", None)
        config = CLIPVisionConfig(**values)
        attn = self._attn_implementation
        config._attn_implementation = attn if attn in ("eager", "sdpa", "flash_attention_2") else "sdpa"
        return config

    @property
    def image_dim_out(self) -> int:
        """Width of one CLIP feature (1024 for CLIP-L); the 2x2 merge makes tokens of 4x this."""
        return int(self.clip_config().hidden_size)

    # -- files -------------------------------------------------------------------------------------
    def to_official_dict(self) -> dict[str, Any]:
        """The config.json content in the official layout (rope_scaling type "su", no auto_map)."""
        data = self.to_dict()
        rope = dict(data.pop("rope_parameters", None) or {})
        for key in ("_attn_implementation_autoset", "_attn_implementation", "_name_or_path", "dtype"):
            data.pop(key, None)
        data["torch_dtype"] = str(self.dtype).removeprefix("torch.") if self.dtype is not None else "float32"
        data["model_type"] = "phi3_v"
        data["architectures"] = ["Phi3VForCausalLM"]
        data["rope_theta"] = rope.get("rope_theta", 10_000.0)
        if rope.get("rope_type") == "longrope":
            data["rope_scaling"] = {
                "type": "su",
                "short_factor": list(rope["short_factor"]),
                "long_factor": list(rope["long_factor"]),
            }
        else:
            data["rope_scaling"] = None
        if self.vision_config is None:
            data.pop("vision_config", None)
        return dict(sorted(data.items()))

    def save_pretrained(self, save_directory: str | os.PathLike[str], **kwargs: Any) -> None:
        """Write config.json in the official layout (atomically)."""
        write_json(Path(save_directory) / CONFIG_NAME, self.to_official_dict())

    @classmethod
    def from_json_file_or_dir(cls, path: str | os.PathLike[str]) -> Phi3VConfig:
        """Read config.json from a directory (or the file itself) without touching any hub."""
        path = Path(path)
        file = path / CONFIG_NAME if path.is_dir() else path
        if not file.is_file():
            raise FileNotFoundError(f"No {CONFIG_NAME} at {path}; expected a Phi-3-Vision model directory.")
        data = read_json(file)
        if data.get("model_type") not in ("phi3_v", None):
            raise ValueError(
                f"{file} has model_type {data.get('model_type')!r}; expected 'phi3_v' (Phi-3-Vision)."
            )
        return cls(**data)
