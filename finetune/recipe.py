"""The fine-tuning recipe: sample set + Phi-3-Vision -> a run directory. Reads top to bottom.

1. resolve the config and decide what to do with the run directory (resume, refuse, overwrite);
2. load and check the data;
3. load the model (tiny, local directory or hub id: one path) and choose what trains (LoRA or full);
4. build the Hugging Face Trainer in one block, with generation-based validation;
5. train (resuming from the latest checkpoint by default);
6. write adapter/ or merged/, processor/, run.json and the model card.

The same code runs on one CPU and under torchrun / accelerate launch (DDP), DeepSpeed and FSDP: the
Trainer handles the processes; this file only makes sure that one process writes the results.
"""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from accelerate import PartialState
from productlens.core.atomic_writes import atomic_write_text, replace_directory
from productlens.core.package_versions import package_versions
from productlens.core.run_json import SCHEMA, RunRecord, write_run_record
from productlens.finetune.answer_format import PromptStyle
from productlens.finetune.collator import ProductCollator
from productlens.finetune.config import FinetuneConfig
from productlens.finetune.data import LENGTH_COLUMN, first_rows, load_training_data, with_lengths
from productlens.finetune.errors import FinetuneError
from productlens.finetune.interrupt import CheckpointOnSignal, TrainingInterrupted
from productlens.finetune.loading import choose_precision, load_for_training
from productlens.finetune.lora import add_lora, count_parameters, select_full_training
from productlens.finetune.merge import merge_adapter
from productlens.finetune.run_dir import (
    RunLayout,
    clear_run_dir,
    latest_checkpoint,
    plan_run_dir,
)
from productlens.finetune.run_record import model_card
from productlens.finetune.token_lengths import apply_on_long, check_lengths, resolve_max_length
from productlens.finetune.validation_callback import GenerationValidation
from transformers import PrinterCallback, Trainer, TrainerCallback, TrainingArguments, set_seed


@dataclass
class FinetuneResult:
    run_dir: Path
    record: RunRecord | None  # what run.json holds (None on processes other than the main one)
    model: torch.nn.Module  # the trained model (a PeftModel for LoRA), for callers that go on using it


def prompt_style(config: FinetuneConfig) -> PromptStyle:
    """The answer-format preset with the user's question / answer template overrides."""
    import dataclasses

    style = PromptStyle.preset(config.prompt_style)
    overrides = {"question": config.question, "answer_template": config.answer_template}
    return dataclasses.replace(style, **{k: v for k, v in overrides.items() if v is not None})


def check_reporting(report_to: str) -> None:
    """The Trainer integration is installed (a clear error instead of a traceback from inside the Trainer)."""
    from transformers.integrations.integration_utils import is_tensorboard_available, is_wandb_available

    available = {"none": True, "tensorboard": is_tensorboard_available(), "wandb": is_wandb_available()}
    if not available[report_to]:
        package = "tensorboard" if report_to == "tensorboard" else "wandb"
        raise FinetuneError(f"--report-to {report_to} needs the {package} package: pip install {package}")


def planned_steps(config: FinetuneConfig, n_train: int, world_size: int) -> int:
    if config.max_steps:
        return config.max_steps
    per_epoch = math.ceil(n_train / (config.batch_size * world_size * config.grad_accum))
    return max(1, math.ceil(per_epoch * (config.epochs or 1.0)))


def run_finetune(config: FinetuneConfig, callbacks: list[TrainerCallback] | tuple = ()) -> FinetuneResult:
    """Fine-tune `config.model` on `config.data` and write the run directory."""
    started = time.time()
    config = config.resolve()
    assert config.method and config.vision and config.learning_rate  # resolve() sets them
    state = PartialState()
    layout = RunLayout(config.run_dir)

    # 1. The run directory: every process decides the same thing before the main one changes anything.
    resume_from = plan_run_dir(layout.root, config.resume, config.overwrite)
    if state.is_main_process and config.overwrite and resume_from is None:
        clear_run_dir(layout.root)
    state.wait_for_everyone()

    # 2. Data.
    style = prompt_style(config)
    data = load_training_data(config.data, config.max_train_samples)

    # 3. Model, and what trains.
    set_seed(config.seed)
    precision = choose_precision(config.precision)
    model, processor = load_for_training(config, precision)
    if config.method == "full":
        select_full_training(model, config.vision)
    else:
        model = add_lora(model, config)
    parameters = count_parameters(model)
    train = with_lengths(data.train, processor, style)
    on_cpu = not torch.cuda.is_available()
    max_length, limit_source = resolve_max_length(config, model.config, on_cpu=on_cpu)  # before any step
    lengths = check_lengths(train, processor, style, max_length, limit_source)
    train, lengths = apply_on_long(train, lengths, config.on_long)
    validation_rows = [] if data.validation is None else first_rows(data.validation, config.eval_samples)
    steps = planned_steps(config, len(train), state.num_processes)
    every = config.eval_steps if config.eval_steps is not None else max(1, steps // 4)

    check_reporting(config.report_to)
    if config.report_to == "tensorboard":  # next to the run, not inside checkpoints/ (the Trainer's default)
        os.environ.setdefault("TENSORBOARD_LOGGING_DIR", str(layout.root / "tensorboard"))

    # 4. The Trainer, in one block.
    args = TrainingArguments(
        output_dir=str(layout.checkpoints),
        per_device_train_batch_size=config.batch_size,
        gradient_accumulation_steps=config.grad_accum,
        num_train_epochs=config.epochs or 1.0,
        max_steps=config.max_steps or -1,
        learning_rate=config.learning_rate,
        lr_scheduler_type=config.scheduler,
        warmup_steps=config.warmup_ratio,  # a float below 1 is a share of the steps
        weight_decay=config.weight_decay,
        max_grad_norm=config.max_grad_norm,
        bf16=precision == "bf16",
        fp16=precision == "fp16",
        use_cpu=not torch.cuda.is_available(),
        activation_checkpointing=bool(config.gradient_checkpointing),
        activation_checkpointing_kwargs={"use_reentrant": False},
        train_sampling_strategy="group_by_length",
        length_column_name=LENGTH_COLUMN,
        remove_unused_columns=False,  # the collator reads image, title, category3_code, full_price
        label_names=["labels"],
        logging_steps=config.logging_steps,
        logging_first_step=True,
        save_strategy="steps",
        save_steps=config.save_steps or max(1, steps // 4),
        save_total_limit=config.save_total_limit,
        report_to=config.report_to,
        run_name=layout.root.name,
        ddp_find_unused_parameters=False,  # unused CLIP parts are frozen (lora.py)
        deepspeed=str(config.deepspeed) if config.deepspeed else None,
        fsdp="full_shard auto_wrap" if config.fsdp_config else None,
        fsdp_config=str(config.fsdp_config) if config.fsdp_config else None,
        dataloader_num_workers=config.dataloader_workers,
        seed=config.seed,
        disable_tqdm=True,  # the CLI renders progress with Rich through a callback
        resume_from_checkpoint=str(resume_from) if resume_from else None,  # read by progress callbacks
    )
    trainer = Trainer(
        model=model,
        args=args,
        # transformers' DataCollator takes list[InputDataClass] (a NewType): no typed collator matches it
        data_collator=ProductCollator(processor, style),  # pyright: ignore[reportArgumentType]
        train_dataset=train,
        callbacks=list(callbacks),
    )
    trainer.remove_callback(PrinterCallback)  # library code never prints
    # A checkpoint on Ctrl-C / SIGTERM and every config.save_minutes (the caller may pass its own instance).
    interrupt = next((c for c in callbacks if isinstance(c, CheckpointOnSignal)), None)
    if interrupt is None:
        interrupt = CheckpointOnSignal(save_every_s=config.save_minutes * 60)
        trainer.add_callback(interrupt)
    validation = None
    if validation_rows:  # with --eval-steps 0 only the final check runs (with its blank-image check)
        validation = GenerationValidation(
            trainer=trainer,
            processor=processor,
            rows=validation_rows,
            style=style,
            every=every,
            max_new_tokens=config.eval_max_new_tokens,
            batch_size=config.batch_size,
            synced_gpus=bool(config.deepspeed or config.fsdp_config),
            blank_every=bool(config.eval_steps),  # --eval-steps: the blank-image check each time
        )
        trainer.add_callback(validation)

    # 5. Train.
    try:
        output = trainer.train(resume_from_checkpoint=str(resume_from) if resume_from else None)
    except torch.OutOfMemoryError as error:
        raise FinetuneError(
            f"out of GPU memory at batch size {config.batch_size} with num_crops {config.num_crops}: lower "
            "--batch-size (raise --grad-accum to keep the effective batch), lower --num-crops, or turn on "
            "--gradient-checkpointing; `finetune --dry-run` estimates the memory. Checkpoints so far are kept, "
            "and the same command resumes."
        ) from error
    finally:
        interrupt.restore()  # the previous SIGINT/SIGTERM handlers, however train() ended
    if interrupt.stopped_by:  # saved and stopped on a signal: not a finished run
        state.wait_for_everyone()
        raise TrainingInterrupted(
            interrupt.stopped_by,
            trainer.state.global_step,
            trainer.state.max_steps,
            latest_checkpoint(layout.checkpoints),
        )

    # 6. Results: each rank joins save_model (ZeRO-3/FSDP gather weights there); the main one writes.
    weights_dir = layout.merged if config.method == "full" else layout.adapter
    temp = weights_dir.with_name(f".tmp-{weights_dir.name}")
    trainer.save_model(str(temp))
    state.wait_for_everyone()
    record: RunRecord | None = None
    if state.is_main_process:
        processor.save_pretrained(temp)  # merged/ loads on its own; adapter/ carries what it was trained with
        (temp / "training_args.bin").unlink(missing_ok=True)  # a pickle; run.json records the settings
        replace_directory(temp, weights_dir)
        processor_temp = layout.root / ".tmp-processor"
        processor.save_pretrained(processor_temp)
        replace_directory(processor_temp, layout.processor)
        if config.merge and config.method != "full":
            merge_adapter(config.model, layout.adapter, layout.merged, processor)
        history = trainer.state.log_history
        record = RunRecord(
            schema=SCHEMA,
            status="finished",
            command=" ".join(sys.argv),
            config=config.to_json(),
            base_model=config.model,
            method=config.method,
            adapter="adapter" if config.method != "full" else None,
            merged="merged" if (config.method == "full" or config.merge) else None,
            processor="processor",
            data=str(config.data),
            data_fingerprint=data.fingerprint,
            prompt_style=style.name,
            precision=precision,
            world_size=state.num_processes,
            parameters={"total": parameters.total, "trainable": parameters.trainable},
            train_samples=len(train),
            token_lengths=lengths.to_json(),
            global_step=trainer.state.global_step,
            resumed_from=str(resume_from) if resume_from else None,
            train_loss=output.training_loss,
            train_runtime_s=output.metrics.get("train_runtime"),
            train_samples_per_second=output.metrics.get("train_samples_per_second"),
            wall_s=time.time() - started,
            loss_history=[
                {k: entry[k] for k in ("step", "epoch", "loss", "learning_rate", "grad_norm") if k in entry}
                for entry in history
                if "loss" in entry
            ],
            eval_history=validation.history if validation else [],
            image_check=validation.image_checks[-1] if validation and validation.image_checks else None,
            versions=package_versions(),
            created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        )
        write_run_record(layout.root, record)
        atomic_write_text(layout.card, model_card(record))
    state.wait_for_everyone()
    assert trainer.model is not None  # the Trainer was built with it
    return FinetuneResult(run_dir=layout.root, record=record, model=trainer.model)
