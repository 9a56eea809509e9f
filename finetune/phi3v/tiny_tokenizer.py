"""A small tokenizer for the tiny preset, built by the project itself, deterministically.

Byte-level BPE (the `tokenizers` library) trained on a corpus made only from a word list: every
product word (and every word of the prompt/answer templates) becomes a single token, digits stay
single characters like in Phi-3's tokenizer, and any other text (currency symbols, accents, commas)
still round-trips exactly through the byte alphabet. It carries the Phi-3 special tokens with the
same strings and adds BOS `<s>` to every encoded string, like the official tokenizer.
"""

from __future__ import annotations

from collections.abc import Iterable

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import PreTrainedTokenizerFast

# Same strings as the official tokenizer (PHI3V.md section 2); ids differ (they come first here).
SPECIAL_TOKENS = (
    "<unk>",
    "<s>",
    "</s>",
    "<|endoftext|>",
    "<|assistant|>",
    "<|system|>",
    "<|end|>",
    "<|user|>",
    "<|image|>",
)
CHAT_TEMPLATE = (
    "{% for message in messages %}{{'<|' + message['role'] + '|>' + '\n' + message['content'] + '<|end|>\n' }}"
    "{% endfor %}{% if add_generation_prompt and messages[-1]['role'] != 'assistant' %}"
    "{{- '<|assistant|>\n' -}}{% endif %}"
)
# Words of the prompt and answer templates (answer_format's presets), so they are single tokens too.
TEMPLATE_WORDS = [
    "What",
    "is",
    "shown",
    "in",
    "this",
    "image",
    "?",
    "Product",
    ":",
    "Category",
    "Full",
    "Price",
    ",",
    ".",
    "user",
    "assistant",
    "system",
    "Describe",
    "the",
    "product",
    "Title",
    "Answer",
    "with",
    "name",
    "category",
    "and",
    "price",
]


def _corpus(words: Iterable[str]) -> list[str]:
    """Each word alone and after a space, so both '<word>' and ' <word>' become single tokens."""
    unique = sorted({w for w in words if w and not w.isspace()})
    return [text for w in unique for text in (w, " " + w)]


def build_tiny_tokenizer(words: Iterable[str]) -> PreTrainedTokenizerFast:
    """Train the byte-level BPE on `words` (+ template words) and wrap it as a Phi-3-like fast tokenizer.

    Deterministic: the same words give the same vocabulary and merges. Training runs to completion
    (no vocabulary cap), so every word of the corpus is one token.
    """
    tokenizer = Tokenizer(models.BPE(unk_token=None, fuse_unk=False, byte_fallback=False))
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False)]
    )
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=1_000_000,  # never reached: merging stops when every corpus word is one token
        min_frequency=1,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    corpus = _corpus([*words, *TEMPLATE_WORDS])
    tokenizer.train_from_iterator(corpus, trainer=trainer, length=len(corpus))
    bos = tokenizer.token_to_id("<s>")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", bos)]
    )
    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token="<s>",
        eos_token="<|endoftext|>",
        pad_token="<|endoftext|>",
        unk_token="<unk>",
        padding_side="right",
        clean_up_tokenization_spaces=False,
        model_max_length=131072,
    )
    wrapped.add_special_tokens({"additional_special_tokens": ["<|system|>", "<|end|>", "<|user|>"]})
    wrapped.chat_template = CHAT_TEMPLATE
    return wrapped
