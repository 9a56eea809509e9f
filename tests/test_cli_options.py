"""Every command's options come from its config dataclass: same defaults in --help as in the config, every
field an option or deliberately left out, and the generator's types behave as a user expects."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import click
import pytest
from click.testing import CliRunner
from productlens.core.cli_options import field_default, options_from
from productlens.evaluate.cli import main as evaluate_main
from productlens.finetune.cli import main as finetune_main
from productlens.finetune.config import FinetuneConfig
from productlens.generate.cli import main as sample_gen_main
from productlens.generate.cli import parse_size
from productlens.generate.synthesize import GenerateConfig


def walk(command: click.Command, name: str) -> list[tuple[str, click.Command]]:
    found = [(name, command)]
    if isinstance(command, click.Group):
        for sub, child in sorted(command.commands.items()):
            found += walk(child, f"{name} {sub}")
    return found


COMMANDS = [
    *walk(sample_gen_main, "sample-gen"),
    *walk(finetune_main, "finetune"),
    *walk(evaluate_main, "evaluate"),
]
GENERATED = [
    (name, command, record)
    for name, command in COMMANDS
    for record in getattr(command.callback, "__config_options__", ())
]


def shown_default(command: click.Command, param: click.Option) -> str | None:
    """The text inside [default: ...] of the option's --help line, or None when none is shown."""
    ctx = click.Context(command, info_name="x")
    return param.get_help_extra(ctx).get("default")


def test_every_command_with_settings_takes_them_from_a_config():
    with_config = {name for name, _, _ in GENERATED}
    assert with_config == {
        "sample-gen",
        "sample-gen import",
        "sample-gen augment",
        "finetune",
        "evaluate",
        "evaluate compare",
    }


@pytest.mark.parametrize(
    ("name", "command", "record"), GENERATED, ids=[f"{n}:{r.config.__name__}" for n, _, r in GENERATED]
)
def test_help_defaults_are_the_config_defaults(name: str, command: click.Command, record):
    params = {param.name: param for param in command.params}
    ctx = click.Context(command, info_name=name)
    for config_field in dataclasses.fields(record.config):
        if config_field.name not in record.fields:
            continue
        param = params[config_field.name]
        default = field_default(config_field)
        value = param.type_cast_value(ctx, param.get_default(ctx))
        assert value == default, (
            f"{name} {param.opts[0]}: {value!r} != {record.config.__name__}.{config_field.name}"
        )
        shown = shown_default(command, param)
        if default is None:  # either nothing, or the words the field's metadata gives for None
            assert shown in (None, config_field.metadata.get("default_text")), (name, param.opts)
        elif isinstance(default, bool):
            assert shown in (None, "") if default is False else shown == param.opts[0].removeprefix("--")
        elif "default_text" not in config_field.metadata and isinstance(
            default, str | int | float | Path | tuple
        ):
            text = ",".join(map(str, default)) if isinstance(default, tuple) else str(default)
            if text:
                assert shown == text, f"{name} {param.opts[0]} shows {shown!r}, the config says {text!r}"


@pytest.mark.parametrize(
    ("name", "command", "record"), GENERATED, ids=[f"{n}:{r.config.__name__}" for n, _, r in GENERATED]
)
def test_every_field_is_an_option_or_left_out_on_purpose(name: str, command: click.Command, record):
    names = {config_field.name for config_field in dataclasses.fields(record.config)}
    if not record.partial:  # `evaluate compare` takes only the bootstrap settings of EvaluateConfig
        missing = names - set(record.fields) - set(record.excluded)
        assert not missing, f"{name}: {record.config.__name__} fields with no option and no reason: {missing}"
    assert all(reason.strip() for reason in record.excluded.values())
    assert not set(record.fields) & set(record.excluded)
    for config_field in dataclasses.fields(record.config):
        assert config_field.metadata.get("help"), f"{record.config.__name__}.{config_field.name} has no help"


def test_hand_written_options_that_set_fields_keep_the_config_defaults():
    def defaults(command: click.Command) -> dict:
        ctx = click.Context(command, info_name="x")
        return {param.name: param.get_default(ctx) for param in command.params}

    sample_gen, config = defaults(sample_gen_main), GenerateConfig()
    assert parse_size(None, None, sample_gen["size"]) == (config.width, config.height)  # type: ignore[arg-type]
    assert sample_gen["png"] is False and config.image_format == "jpeg"
    finetune = defaults(finetune_main)
    assert finetune["resume"] is FinetuneConfig().resume is True
    assert finetune["resume_from"] is None


def test_the_sample_gen_count_users_see_is_the_config_default():
    assert GenerateConfig().count == 6000
    result = CliRunner().invoke(sample_gen_main, ["--help"], terminal_width=80)
    assert "[default: 6000]" in result.output


@dataclass
class Toy:
    """A config with one field of each kind the generator handles."""

    mode: Literal["fast", "slow"] = field(default="fast", metadata={"help": "Speed."})
    ratios: tuple[float, float] = field(
        default=(0.5, 0.5), metadata={"help": "Two shares.", "flag": ("-r", "--shares")}
    )
    tags: tuple[str, ...] = field(default=("a",), metadata={"help": "Tags."})
    count: int | None = field(default=None, metadata={"help": "How many.", "min": 1, "default_text": "all"})
    verbose: bool = field(default=False, metadata={"help": "Say more."})
    cache: bool | None = field(default=None, metadata={"help": "Cache; None: decide."})


@click.command()
@options_from(Toy)
def toy(**options):
    click.echo(repr(Toy(**options)))


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        ([], "Toy(mode='fast', ratios=(0.5, 0.5), tags=('a',), count=None, verbose=False, cache=None)"),
        (
            ["--mode", "slow", "-r", "0.2,0.8", "--tags", "x, y,", "--count", "3", "--verbose", "--no-cache"],
            "Toy(mode='slow', ratios=(0.2, 0.8), tags=('x', 'y'), count=3, verbose=True, cache=False)",
        ),
    ],
)
def test_generated_options_parse_what_a_user_types(args: list[str], shown: str):
    result = CliRunner().invoke(toy, args)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == shown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mode", "medium"], "'medium' is not one of 'fast', 'slow'"),
        (["--shares", "0.2,x"], "expected float values separated by commas"),
        (["--shares", "0.2,0.3,0.5"], "expected 2 values separated by commas, got 3"),
        (["--count", "0"], "0 is not in the range x>=1"),
    ],
)
def test_generated_options_refuse_bad_values_naming_the_option(args: list[str], message: str):
    result = CliRunner().invoke(toy, args)
    assert result.exit_code == 2
    assert "Invalid value for '" + args[0] + "'" in result.output.replace("'-r' / ", "")
    assert message in result.output


def test_generated_help_reads_as_written():
    result = CliRunner().invoke(toy, ["--help"], terminal_width=80)
    assert "Speed.  [default: fast]" in result.output and "--mode [fast|slow]" in result.output
    assert "-r, --shares FLOAT,..." in result.output and "[default: 0.5,0.5]" in result.output
    assert "[default: all; x>=1]" in result.output
    assert "--cache / --no-cache" in result.output
