"""Generation-based validation during training: parse rate, category accuracy and price error.

Every K steps the model generates answers (greedy, left padding, stop on <|end|>/<|endoftext|>) for the
same N validation images, the answer-format parser reads them back, and the scores are logged with the
loss through `trainer.log`, so they reach the terminal, run.json and TensorBoard/W&B alike. This is what
`evaluate` will measure, not a teacher-forced argmax, which overstates a model that cannot yet stop or
keep the format. Every rank generates the same answers, so FSDP and ZeRO-3 (which gather parameters in
the forward pass) stay in step; only the main process logs.
"""

from __future__ import annotations

import logging
import statistics
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import torch
from productlens.finetune.answer_format import PromptStyle, build_prompt, parse_answer
from productlens.finetune.image_check import ImageCheck, blank_rows, image_check
from transformers import TrainerCallback, TrainerControl, TrainerState, TrainingArguments

if TYPE_CHECKING:
    from peft import PeftModel
    from productlens.finetune.phi3v import Phi3VForCausalLM

    TrainedModel = Phi3VForCausalLM | PeftModel  # full training trains the model itself, LoRA a PeftModel

PREFIX = "val_"


def score_answers(generated: list[str], rows: list[dict[str, Any]], style: PromptStyle) -> dict[str, float]:
    """Parse rate, category3 accuracy (an unparsed answer counts as wrong), median APE of parsed prices (%)."""
    parsed = [parse_answer(text, style) for text in generated]
    complete = [p.error is None for p in parsed]
    correct = [p.category == row["category3_code"] for p, row in zip(parsed, rows, strict=True)]
    errors = [
        abs(p.price - row["full_price"]) / row["full_price"] * 100
        for p, row in zip(parsed, rows, strict=True)
        if p.price is not None and row["full_price"]
    ]
    scores = {
        f"{PREFIX}parse_rate": sum(complete) / len(rows),
        f"{PREFIX}category3_accuracy": sum(correct) / len(rows),
        f"{PREFIX}n": float(len(rows)),
    }
    if errors:  # a price that cannot be read is unscored, never an error of 100% or a price of 0
        scores[f"{PREFIX}price_mdape"] = statistics.median(errors)
    return scores


@torch.no_grad()
def generate_answers(
    model: TrainedModel,
    processor: Any,
    rows: list[dict[str, Any]],
    style: PromptStyle,
    max_new_tokens: int,
    batch_size: int,
    synced_gpus: bool = False,
) -> list[str]:
    """Greedy answers for `rows`, batch by batch, with the model in eval mode (restored afterwards)."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    prompt = build_prompt(style)
    answers: list[str] = []
    try:
        for start in range(0, len(rows), batch_size):
            chunk = rows[start : start + batch_size]
            batch = processor([prompt] * len(chunk), [[row["image"]] for row in chunk], padding_side="left")
            batch = {key: value.to(device) for key, value in batch.items()}
            if "pixel_values" in batch:
                batch["pixel_values"] = batch["pixel_values"].to(next(model.parameters()).dtype)
            # transformers types generate's `self` as a protocol (for ty) that no decoder-only model meets
            output = model.generate(  # pyright: ignore[reportAttributeAccessIssue]
                **batch,
                max_new_tokens=max_new_tokens,
                do_sample=False,
                eos_token_id=processor.stop_token_ids,
                pad_token_id=processor.pad_token_id,
                synced_gpus=synced_gpus,
            )
            answers.extend(processor.batch_decode(output[:, batch["input_ids"].shape[1] :]))
    finally:
        model.train(was_training)
    return answers


@dataclass
class GenerationValidation(TrainerCallback):
    """Validate every `every` steps and at the end; `history` keeps every result with its step."""

    trainer: Any  # transformers.Trainer: its `log` sends metrics to every reporting integration
    processor: Any
    rows: list[dict[str, Any]]
    style: PromptStyle
    every: int
    max_new_tokens: int = 48
    batch_size: int = 8
    synced_gpus: bool = False
    history: list[dict[str, float]] = field(default_factory=list)
    blank_every: bool = False  # the blank-image check at every validation (else only at the end)
    image_checks: list[ImageCheck] = field(default_factory=list)

    def validate(
        self, model: TrainedModel, step: int, control: TrainerControl | None = None, blank: bool = False
    ) -> dict[str, float]:
        answers = self._answers(model, self.rows)
        scores = score_answers(answers, self.rows, self.style)
        if blank or self.blank_every:  # the same rows with a white image: does the photo matter?
            check = image_check(
                step, self._hits(answers), self._hits(self._answers(model, blank_rows(self.rows)))
            )
            self.image_checks.append(check)
            scores[f"{PREFIX}blank_category3_accuracy"] = check["blank_category3_accuracy"]
            scores[f"{PREFIX}image_gain"] = check["difference"]
            scores[f"{PREFIX}image_gain_ci_low"] = check["ci_low"]
            scores[f"{PREFIX}image_gain_ci_high"] = check["ci_high"]
        self.history.append({"step": step, **scores})
        should_log = control.should_log if control is not None else False
        self.trainer.log(dict(scores))
        if control is not None:  # trainer.log clears the flag; the loss of this step still has to be logged
            control.should_log = should_log
        return scores

    def _answers(self, model: TrainedModel, rows: list[dict[str, Any]]) -> list[str]:
        return generate_answers(
            model, self.processor, rows, self.style, self.max_new_tokens, self.batch_size, self.synced_gpus
        )

    def _hits(self, answers: list[str]) -> list[bool]:
        """Per row: category3 right (an unparsed answer is wrong), as score_answers counts it."""
        parsed = [parse_answer(text, self.style) for text in answers]
        return [p.category == row["category3_code"] for p, row in zip(parsed, self.rows, strict=True)]

    def on_step_end(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, model=None, **kwargs
    ):
        if self.every and state.global_step % self.every == 0:
            assert model is not None  # the Trainer passes its model to every callback
            self.validate(model, state.global_step, control)

    def on_train_end(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, model=None, **kwargs
    ):
        assert model is not None  # the Trainer passes its model to every callback
        last_check = self.image_checks[-1]["step"] if self.image_checks else None
        if (
            not self.history
            or self.history[-1]["step"] != state.global_step
            or last_check != state.global_step
        ):
            self.validate(
                model, state.global_step, blank=True
            )  # the final check always asks without the image
        if self.image_checks and self.image_checks[-1]["warning"] and state.is_world_process_zero:
            logging.getLogger(__name__).warning("blank-image check: %s", self.image_checks[-1]["warning"])
