"""Phi3VForCausalLM: transformers' Phi-3 decoder with the Phi-3-Vision image embedding in front.

What differs from `Phi3ForCausalLM` (everything else, attention/RoPE/cache/loss, is transformers'):
- `model.vision_embed_tokens` (embedding.py) turns crops into tokens that replace the placeholder
  positions (`input_ids < 0`) of the token embeddings; the caller's `input_ids` are never modified.
- positions come from the attention mask when not given, so left-padded batches match unpadded ones.
- generation passes the images again whenever the prompt is re-encoded: the first step, and after
  Phi-3's cache reset at the short-to-long RoPE switch (inherited from Phi3ForCausalLM).
- building, loading and saving use the official checkpoint layout (files read and written by weights.py),
  safetensors only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch
from productlens.core.constants import IGNORE_INDEX
from productlens.finetune.phi3v.config import Phi3VConfig
from productlens.finetune.phi3v.embedding import Phi3VImageEmbedding
from productlens.finetune.phi3v.weights import (
    iter_tensors,
    resolve_attn_implementation,
    resolve_dtype,
    save_model_dir,
    shard_files,
    stop_ids_from_tokenizer_file,
)
from torch import nn
from transformers import GenerationConfig
from transformers.models.phi3.modeling_phi3 import (
    Phi3ForCausalLM,
    Phi3Model,
    Phi3PreTrainedModel,
    Phi3RotaryEmbedding,
)


def positions_from_mask(attention_mask: torch.Tensor, length: int) -> torch.Tensor:
    """Position ids (batch, length) counting only real tokens: padding never shifts a sample's positions."""
    positions = attention_mask.long().cumsum(-1) - 1
    positions = positions.masked_fill(attention_mask == 0, 0)
    return positions[:, -length:]


class Phi3VModel(Phi3Model):
    """Phi3Model + `vision_embed_tokens` (the official name); `embed_inputs` merges text and image tokens."""

    config: Phi3VConfig

    def __init__(self, config: Phi3VConfig) -> None:
        super().__init__(config)
        self.vision_embed_tokens = Phi3VImageEmbedding(config)
        self.post_init()

    def _dummy_image_features(self) -> torch.Tensor:
        """The vision tower on one blank image. A text-only training batch still runs it (with zero weight), so
        every rank of DDP / DeepSpeed ZeRO-3 uses the same parameters and none waits or reports them unused."""
        tower = self.vision_embed_tokens
        weight = tower.glb_GN
        pixels = torch.zeros(
            1, 2, 3, tower.crop_size, tower.crop_size, device=weight.device, dtype=weight.dtype
        )
        sizes = torch.tensor([[tower.crop_size, tower.crop_size]], device=weight.device)
        return tower(pixels, sizes)

    def embed_inputs(
        self,
        input_ids: torch.LongTensor,
        pixel_values: torch.Tensor | None = None,
        image_sizes: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Token embeddings with image features written, row-major, at the positions where input_ids < 0."""
        image_positions = input_ids < 0  # (batch, seq)
        embeds = self.embed_tokens(input_ids.clamp(min=0))  # clamp makes a new tensor; the caller's ids stay
        n_positions = int(image_positions.sum())
        if n_positions == 0:
            if pixel_values is not None:
                raise ValueError(
                    "pixel_values were given but input_ids hold no image placeholders (negative ids); build the "
                    "inputs with Phi3VProcessor so the prompt's <|image_k|> tags become placeholders."
                )
            if self.training and torch.is_grad_enabled():
                embeds = embeds + 0.0 * self._dummy_image_features().sum()
            return embeds
        if pixel_values is None or image_sizes is None:
            raise ValueError(
                f"input_ids hold {n_positions} image placeholders but no pixel_values/image_sizes were given."
            )
        features = self.vision_embed_tokens(pixel_values, image_sizes)  # (n_positions, hidden)
        if features.shape[0] != n_positions:
            raise ValueError(
                f"Image features and image tokens do not match: tokens {n_positions}, features {features.shape[0]}. "
                "pixel_values/image_sizes must hold the batch's images in placeholder order, processed with the "
                "same num_crops and crop size as the prompt."
            )
        mask = image_positions.unsqueeze(-1).expand_as(embeds)
        return embeds.masked_scatter(mask, features.to(embeds.dtype))


class Phi3VForCausalLM(Phi3ForCausalLM):
    """Phi-3-Vision causal LM; the state-dict names equal the official checkpoint's (PHI3V.md section 6)."""

    config: Phi3VConfig

    def __init__(self, config: Phi3VConfig) -> None:
        # Phi3ForCausalLM.__init__ would build a text-only Phi3Model first; build ours instead.
        Phi3PreTrainedModel.__init__(self, config)
        self.model = Phi3VModel(config)
        self.vocab_size = config.vocab_size
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        self.post_init()

    def forward(
        self,
        input_ids: torch.LongTensor | None = None,
        attention_mask: torch.Tensor | None = None,
        position_ids: torch.Tensor | None = None,
        cache: Any = None,
        inputs_embeds: torch.Tensor | None = None,
        labels: torch.LongTensor | None = None,
        use_cache: bool | None = None,
        logits_to_keep: int | torch.Tensor = 0,
        pixel_values: torch.Tensor | None = None,
        image_sizes: torch.Tensor | None = None,
        **kwargs: Any,
    ):
        """Like Phi3ForCausalLM.forward, plus `pixel_values` (n_img, N + 1, 3, C, C) and `image_sizes` (n_img, 2).

        `labels` must hold token ids or -100 (IGNORE_INDEX); placeholder ids (< 0) there are an error.
        """
        if "past_key_values" in kwargs:
            cache = kwargs.pop("past_key_values")
        if inputs_embeds is None:
            if input_ids is None:
                raise ValueError("Give input_ids (with image placeholders) or inputs_embeds.")
            inputs_embeds = self.model.embed_inputs(input_ids, pixel_values, image_sizes)
        if position_ids is None and attention_mask is not None and attention_mask.ndim == 2:
            position_ids = positions_from_mask(attention_mask, inputs_embeds.shape[1])
        if labels is not None and bool(((labels < 0) & (labels != IGNORE_INDEX)).any()):
            raise ValueError(
                "labels hold negative ids other than -100: image placeholders must be masked with -100 in labels."
            )
        return super().forward(
            input_ids=None,
            attention_mask=attention_mask,
            # transformers annotates LongTensor where any int64 Tensor is meant
            position_ids=position_ids,  # pyright: ignore[reportArgumentType]
            cache=cache,
            inputs_embeds=inputs_embeds,
            labels=labels,
            use_cache=use_cache,
            logits_to_keep=logits_to_keep,
            **kwargs,
        )

    def prepare_inputs_for_generation(
        self,
        input_ids: torch.LongTensor,
        cache: Any = None,
        pixel_values: torch.Tensor | None = None,
        image_sizes: torch.Tensor | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Phi-3's preparation (with its cache reset past original_max_position_embeddings), plus images
        whenever the whole prompt goes through the model again (first step, no cache, or after a reset)."""
        if "past_key_values" in kwargs:
            cache = kwargs.pop("past_key_values")
        model_inputs = super().prepare_inputs_for_generation(input_ids, cache=cache, **kwargs)
        step_ids = model_inputs.get("input_ids")
        if pixel_values is not None and step_ids is not None and bool((step_ids < 0).any()):
            model_inputs["pixel_values"] = pixel_values
            model_inputs["image_sizes"] = image_sizes
        else:
            model_inputs.pop("pixel_values", None)
            model_inputs.pop("image_sizes", None)
        return model_inputs

    def _expand_inputs_for_generation(
        self,
        expand_size: int = 1,
        is_encoder_decoder: bool = False,
        input_ids: torch.LongTensor | None = None,
        **model_kwargs: Any,
    ) -> tuple[torch.LongTensor | None, dict[str, Any]]:  # None with inputs_embeds only, as in transformers
        """Beam search / num_return_sequences repeat each sample; its images must repeat as one block
        (a, b, a, b), not image by image (a, a, b, b) as a plain per-tensor expansion would do."""
        pixel_values = model_kwargs.pop("pixel_values", None)
        image_sizes = model_kwargs.pop("image_sizes", None)
        if pixel_values is not None and image_sizes is not None and expand_size > 1 and input_ids is not None:
            per_sample = (-input_ids.min(dim=1).values).clamp(min=0).tolist()  # tags -1 .. -k: k images
            starts = [sum(per_sample[:i]) for i in range(len(per_sample))]
            order = [
                start + j
                for start, count in zip(starts, per_sample, strict=True)
                for _ in range(expand_size)
                for j in range(count)
            ]
            pixel_values = pixel_values[torch.tensor(order, device=pixel_values.device, dtype=torch.long)]
            image_sizes = image_sizes[torch.tensor(order, device=image_sizes.device, dtype=torch.long)]
        # transformers types `self` there as a protocol that also wants `encoder` (encoder-decoder only)
        expand = super()._expand_inputs_for_generation  # pyright: ignore[reportAttributeAccessIssue]
        input_ids, model_kwargs = expand(expand_size, is_encoder_decoder, input_ids, **model_kwargs)
        if pixel_values is not None:
            model_kwargs["pixel_values"] = pixel_values
            model_kwargs["image_sizes"] = image_sizes
        return input_ids, model_kwargs

    # -- files -------------------------------------------------------------------------------------
    def save_pretrained(
        self,
        save_directory: str | os.PathLike[str],
        max_shard_size: int | str = "5GB",
        state_dict: dict[str, torch.Tensor] | None = None,
        dtype: torch.dtype | None = None,
        **kwargs: Any,
    ) -> None:
        """Write config.json + safetensors (sharded with an index when over max_shard_size) in the official
        layout, and generation_config.json. Extra keyword arguments from Trainer are accepted and ignored."""
        if kwargs.get("is_main_process", True) is False:
            return
        save_model_dir(
            self, save_directory, max_shard_size=max_shard_size, state_dict=state_dict, dtype=dtype
        )

    @classmethod
    def from_pretrained(  # type: ignore[override]
        cls,
        pretrained_model_name_or_path: str | os.PathLike[str],
        *args: Any,
        dtype: torch.dtype | str | None = None,
        attn_implementation: str | None = None,
        **kwargs: Any,
    ) -> Phi3VForCausalLM:
        """Load from a local directory in the official layout (safetensors only; no remote code)."""
        return load_model_dir(
            pretrained_model_name_or_path, dtype=dtype, attn_implementation=attn_implementation
        )


# -- building and loading (safetensors in the official layout; weights.py reads and writes the files) ---


def rebuild_buffers(model: Phi3VForCausalLM) -> None:
    """Recreate the buffers that are not in checkpoints (they are left on meta by a meta-device build)."""
    device = model.lm_head.weight.device
    model.model.rotary_emb = Phi3RotaryEmbedding(config=model.config).to(device)
    embeddings = model.model.vision_embed_tokens.img_processor.vision_model.embeddings
    if embeddings.position_ids.is_meta:
        ids = torch.arange(embeddings.num_positions, device=device).expand((1, -1))
        embeddings.register_buffer("position_ids", ids, persistent=False)
    leftovers = [name for name, t in [*model.named_parameters(), *model.named_buffers()] if t.is_meta]
    if leftovers:
        raise RuntimeError(f"Tensors still on the meta device after loading: {leftovers[:5]}")


def build_model(config: Phi3VConfig, dtype: torch.dtype, attn_implementation: str, device: str = "meta"):
    """The model with the given attention and parameter dtype, on `device` (meta: no memory used)."""
    config._attn_implementation = attn_implementation
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        with torch.device(device):
            model = Phi3VForCausalLM(config)
    finally:
        torch.set_default_dtype(previous)
    return model


def load_model_dir(
    directory: str | os.PathLike[str],
    dtype: torch.dtype | str | None = None,
    attn_implementation: str | None = None,
) -> Phi3VForCausalLM:
    """Load config + safetensors from a local directory into a Phi3VForCausalLM (eval mode)."""
    directory = Path(directory)
    config = Phi3VConfig.from_json_file_or_dir(directory)
    # The official file names a hub repo here; PEFT looks the base up by this name when it saves an adapter,
    # so point it at the directory that was read (what transformers' from_pretrained does), never the hub.
    config._name_or_path = str(directory)
    target = resolve_dtype(dtype, config)
    model = build_model(config, target, resolve_attn_implementation(attn_implementation, config, target))
    expected = set(model.state_dict())
    state: dict[str, torch.Tensor] = {}
    for name, tensor in iter_tensors(shard_files(directory)):
        state[name] = tensor.to(target) if tensor.is_floating_point() else tensor
    missing, unexpected = sorted(expected - set(state)), sorted(set(state) - expected)
    if missing or unexpected:
        raise ValueError(
            f"{directory} does not match the Phi-3-Vision layout of its config.json: missing {len(missing)} "
            f"tensors {missing[:3]}, unexpected {len(unexpected)} {unexpected[:3]}."
        )
    model.load_state_dict(state, strict=True, assign=True)
    rebuild_buffers(model)
    model.model.vision_embed_tokens.freeze_unused()
    model.config.dtype = target
    generation = directory / "generation_config.json"
    if generation.is_file():
        model.generation_config = GenerationConfig.from_pretrained(str(directory))
    stops = stop_ids_from_tokenizer_file(directory)
    if stops:  # config.json's eos is </s>, which the model never produces: stop on <|end|>/<|endoftext|>
        model.generation_config.eos_token_id = stops
        model.generation_config.pad_token_id = stops[-1]
    return model.eval()
