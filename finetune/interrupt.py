"""No training lost: a checkpoint on SIGINT / SIGTERM and every few minutes, as a TrainerCallback.

The Trainer's own checkpoints come every `save_steps` steps, which on a slow machine can be a quarter of an
hour apart; a Ctrl-C or a scheduler's SIGTERM in between used to lose everything since the last one. This
callback turns the first signal into "save a checkpoint after the step in flight, then stop" (a second
signal quits at once, the usual way out of a hung step), and asks for a checkpoint whenever
`save_every_s` seconds have passed since the last one. After `trainer.train` returns, `stopped_by` says
whether a signal ended it; the recipe then raises `TrainingInterrupted` instead of writing a finished run.

Under several processes rank 0 decides (its clock, its signal) and the decision is broadcast each step, so
every rank saves and stops at the same step.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

from productlens.finetune.errors import FinetuneError
from transformers import TrainerCallback

HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class TrainingInterrupted(FinetuneError):
    """Training stopped on a signal after saving a checkpoint; the same command resumes from it."""

    def __init__(self, signum: int, step: int, max_steps: int, checkpoint: Path | None) -> None:
        self.signum = signum
        self.step = step
        self.max_steps = max_steps
        self.checkpoint = checkpoint
        name = signal.Signals(signum).name
        where = f"saved {checkpoint}" if checkpoint is not None else "no checkpoint could be saved"
        super().__init__(
            f"{name}: stopped at step {step} of {max_steps}; {where}. "
            "Run the same command again to resume from it."
        )

    @property
    def exit_code(self) -> int:
        return 128 + self.signum  # what a shell reports for a process ended by the signal (130, 143)


class CheckpointOnSignal(TrainerCallback):
    """Save and stop on the first SIGINT/SIGTERM; save every `save_every_s` seconds (0: no timed saves).

    on_signal, when given, is called (in the signal handler) with the signal number, so a CLI can say that
    it is stopping; library code itself never prints.
    """

    def __init__(self, save_every_s: float = 300.0, on_signal: Callable[[int], object] | None = None) -> None:
        self.save_every_s = save_every_s
        self.on_signal = on_signal
        self.stopped_by: int | None = None  # the signal that ended training, once it has
        self._pending: int | None = None
        self._last_save = time.monotonic()
        self._previous: dict[int, object] = {}

    # --- signal handling -------------------------------------------------------------------------------
    def _handle(self, signum: int, frame) -> None:
        if self._pending is not None:  # second signal: leave now, the way the user expects
            self.restore()
            raise KeyboardInterrupt
        self._pending = signum
        if self.on_signal is not None:
            self.on_signal(signum)

    def _install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # signal handlers can only be set from the main thread (e.g. not inside a test runner's worker)
        for signum in HANDLED_SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handle)

    def restore(self) -> None:
        """Put the previous handlers back (on_train_end does; call it too when train() raises)."""
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]
        self._previous.clear()

    # --- Trainer events --------------------------------------------------------------------------------
    def on_train_begin(self, args, state, control, **kwargs):
        self._last_save = time.monotonic()
        self._install()

    def on_step_end(self, args, state, control, **kwargs):
        signum = self._pending or 0
        timed = self.save_every_s > 0 and time.monotonic() - self._last_save >= self.save_every_s
        signum, timed = _agree(signum, timed)
        if signum:
            self.stopped_by = signum
            control.should_save = True
            control.should_training_stop = True
        elif timed:
            control.should_save = True
        return control

    def on_save(self, args, state, control, **kwargs):
        self._last_save = time.monotonic()

    def on_train_end(self, args, state, control, **kwargs):
        self.restore()


def _agree(signum: int, timed: bool) -> tuple[int, bool]:
    """Rank 0's decision on every rank (a no-op in a single process)."""
    import torch
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()):
        return signum, timed
    device = torch.device("cuda", torch.cuda.current_device()) if torch.cuda.is_available() else None
    decision = torch.tensor([signum, int(timed)], dtype=torch.int64, device=device)
    dist.broadcast(decision, src=0)
    return int(decision[0]), bool(decision[1])
