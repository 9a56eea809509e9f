"""Checks the `finetune` and `evaluate` commands make before any work: paths first, in the user's words.

A missing path is reported as "--option PATH does not exist" before anything else can fail on it (so a
missing --data is never blamed on the run directory, and a missing local --model is never looked up on
the hub), and a config error names the option the user typed, not the dataclass field behind it.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
from productlens.finetune.phi3v.loader import looks_like_local_path


def check_exists(option: str, path: Path | str | None, hint: str = "") -> None:
    """click.BadParameter "PATH does not exist" for `option` when the path is missing."""
    if path is None or Path(path).exists():
        return
    raise click.BadParameter(f"{path} does not exist" + (f": {hint}" if hint else ""), param_hint=option)


def check_model(option: str, model: str | None) -> None:
    """A --model that reads as a local path must exist; 'tiny' and hub ids (owner/name) pass."""
    if model is None or model == "tiny" or Path(model).exists() or not looks_like_local_path(model):
        return
    raise click.BadParameter(
        f"{model} does not exist (a local path; a hub id reads owner/name, 'tiny' is the CPU preset)",
        param_hint=option,
    )


def with_option_names(message: str, command: click.Command) -> str:
    """`message` with each parameter name of `command` ("learning_rate") replaced by its options
    ("--learning-rate/--lr"), so a config error reads in the words of the command line."""
    names = {
        param.name: "/".join(param.opts)
        for param in command.params
        if isinstance(param, click.Option) and param.name
    }
    if not names:
        return message
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")\b"
    )
    return pattern.sub(lambda match: names[match.group(1)], message)
