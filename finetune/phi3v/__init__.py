"""Native Phi-3-Vision on current transformers: config, image processor, processor, model, loader, tiny preset.

Usage: `model, processor = load_phi3v(directory_or_hub_id)` (or `load_phi3v("tiny", tiny_words=words)`), then
`batch = processor([prompt], [[image]], padding_side="left")` and
`model.generate(**batch, max_new_tokens=64)`; for training pass `targets=[...]` to the processor
to get `labels`, and call `model(**batch).loss`.
"""

from productlens.finetune.phi3v.config import Phi3VConfig
from productlens.finetune.phi3v.image_processing import Phi3VImageProcessor
from productlens.finetune.phi3v.loader import load_phi3v
from productlens.finetune.phi3v.modeling import Phi3VForCausalLM
from productlens.finetune.phi3v.processing import IGNORE_INDEX, Phi3VProcessor
from productlens.finetune.phi3v.tiny import TinySpec, build_tiny

__all__ = [
    "IGNORE_INDEX",
    "Phi3VConfig",
    "Phi3VForCausalLM",
    "Phi3VImageProcessor",
    "Phi3VProcessor",
    "TinySpec",
    "build_tiny",
    "load_phi3v",
]
