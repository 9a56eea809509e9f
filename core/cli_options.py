"""Click options generated from a config dataclass, so a setting is declared once: in its config field.

`@options_from(Config, exclude={...})` turns every field of `Config` into a click option named after the
field: the type and default come from the annotation and the default, the choices from a `Literal[...]`,
the help from the field's metadata. The command receives each value under the field's name, so
`Config(**config_kwargs(Config, options))` builds the config. Metadata keys read here (only `help` is
required):

    help          the option's help text
    flag          the declarations when not --field-name: "--split" or ("-n", "--count")
    default_text  what --help shows in [default: ...] when the value says little (None: "all cores")
    min, max      a range for an int or float, checked by click (min_open: the minimum itself is refused)
    path          click.Path settings of a Path field, e.g. {"exists": True, "file_okay": False}
    choices       the allowed values of a str field whose values are not a Literal
    parse         text -> value, for a field of another type; raises ValueError naming the problem
    check         value -> value, run after parsing a tuple or parsed field; raises ValueError
    metavar       the placeholder shown in --help

Fields a command sets another way (`--size` sets width and height) or does not expose are listed in
`exclude` with the reason; `tests/test_cli_options.py` checks that every field is one or the other and
that every default in --help is the field's default.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

import click

F = TypeVar("F", bound=Callable[..., Any])
MISSING = dataclasses.MISSING


@dataclasses.dataclass(frozen=True)
class ConfigOptions:
    """What `options_from` put on a command: the config, the fields it made options of, those it left out
    (with the reason), and whether it took only some fields on purpose (`only=`)."""

    config: type
    fields: tuple[str, ...]
    excluded: Mapping[str, str]
    partial: bool = False


def field_default(field: dataclasses.Field) -> Any:
    """The field's default value (a default_factory is called); MISSING for a required field."""
    if field.default is not MISSING:
        return field.default
    if field.default_factory is not MISSING:
        return field.default_factory()
    return MISSING


def config_kwargs(config: type, options: dict[str, Any]) -> dict[str, Any]:
    """Remove the values of `config`'s fields from `options` and return them, ready for `config(**...)`."""
    names = {field.name for field in dataclasses.fields(config)}
    return {name: options.pop(name) for name in list(options) if name in names}


def options_from(
    config: type,
    *,
    exclude: Mapping[str, str] | None = None,
    only: Iterable[str] | None = None,
    case_sensitive: bool = True,
) -> Callable[[F], F]:
    """A decorator adding one click option per field of `config` (in field order).

    exclude: field -> why it has no option of its own (every other field gets one); only: just these
    fields (a command that shares a few settings, such as `evaluate compare`). case_sensitive applies to
    the choices of Literal fields.
    """
    excluded = dict(exclude or {})
    hints = get_type_hints(config)
    fields = [field for field in dataclasses.fields(config) if field.name not in excluded]
    if only is not None:
        wanted = tuple(only)
        fields = [field for field in fields if field.name in wanted]
        missing = set(wanted) - {field.name for field in fields}
        if missing:
            raise TypeError(f"{config.__name__} has no fields {sorted(missing)}")
    unknown = set(excluded) - {field.name for field in dataclasses.fields(config)}
    if unknown:
        raise TypeError(f"exclude names fields {config.__name__} does not have: {sorted(unknown)}")
    options = [_option(field, hints[field.name], case_sensitive) for field in fields]

    def decorate(command: F) -> F:
        for option in reversed(options):  # click lists options in the order their decorators are written
            command = option(command)
        made = getattr(command, "__config_options__", ())
        record = ConfigOptions(config, tuple(field.name for field in fields), excluded, only is not None)
        command.__config_options__ = (*made, record)  # type: ignore[attr-defined]
        return command

    return decorate


def _option(field: dataclasses.Field, annotation: Any, case_sensitive: bool) -> Callable[[F], F]:
    meta = field.metadata
    if "help" not in meta:
        raise TypeError(f"field {field.name} has no help text in its metadata")
    default = field_default(field)
    if default is MISSING:
        raise TypeError(f"field {field.name} has no default: make it an argument and exclude it")
    flags = meta.get("flag", f"--{field.name.replace('_', '-')}")
    flags = [flags] if isinstance(flags, str) else list(flags)
    base, optional = _unwrap_optional(annotation)
    settings: dict[str, Any] = {"default": default, "help": meta["help"]}
    if "metavar" in meta:
        settings["metavar"] = meta["metavar"]
    if base is bool and default is False and not optional:
        settings["is_flag"] = True
    elif base is bool:  # True or None by default: the user can say either way
        flags[-1] = f"{flags[-1]}/--no-{flags[-1].removeprefix('--')}"
    else:
        settings["type"] = _click_type(field.name, base, meta, case_sensitive)
    shown = _shown_default(default, meta, settings.get("is_flag", False))
    settings["show_default"] = shown is True
    settings["default_text"] = shown if isinstance(shown, str) else None
    return click.option(*flags, field.name, cls=ConfigOption, **settings)


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    """(X, True) for `X | None`, (X, False) for X."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        optional = len(args) < len(get_args(annotation))
        return (args[0] if len(args) == 1 else Union[tuple(args)]), optional  # noqa: UP007
    return annotation, False


def _click_type(name: str, base: Any, meta: Mapping[str, Any], case_sensitive: bool) -> click.ParamType:
    if "parse" in meta:
        return ParsedText(meta["parse"], meta.get("check"), meta.get("metavar", "TEXT"))
    if get_origin(base) is Literal:
        return click.Choice([str(value) for value in get_args(base)], case_sensitive=case_sensitive)
    if "choices" in meta:
        return click.Choice(list(meta["choices"]), case_sensitive=case_sensitive)
    if base in (int, float):
        if "min" in meta or "max" in meta:
            ranged = click.IntRange if base is int else click.FloatRange
            open_ends = {"min_open": meta["min_open"]} if "min_open" in meta else {}
            return ranged(min=meta.get("min"), max=meta.get("max"), **open_ends)
        return click.INT if base is int else click.FLOAT
    if base is str:
        return click.STRING
    if base is Path:
        return click.Path(path_type=Path, **meta.get("path", {}))
    if get_origin(base) is tuple:
        items = get_args(base)
        length = None if len(items) == 2 and items[1] is Ellipsis else len(items)
        return CommaSeparated(items[0], length, meta.get("check"))
    raise TypeError(f"field {name}: no click type for {base!r}; give a `parse` function in its metadata")


def _shown_default(default: Any, meta: Mapping[str, Any], is_flag: bool) -> bool | str:
    if "default_text" in meta:
        return str(meta["default_text"])
    if default is None or (is_flag and default is False):
        return False
    if isinstance(default, str | dict | list | tuple) and not default:
        return False
    if isinstance(default, tuple):
        return ",".join(str(item) for item in default)  # as it is typed on the command line
    return True


class ConfigOption(click.Option):
    """A click option whose [default: ...] in --help can be words ("all cores") instead of the value."""

    def __init__(self, *args: Any, default_text: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_text = default_text

    def get_help_extra(self, ctx: click.Context) -> Any:
        extra = super().get_help_extra(ctx)
        if self.default_text:
            extra["default"] = self.default_text
        return extra


class CommaSeparated(click.ParamType):
    """`0.8,0.1,0.1` -> (0.8, 0.1, 0.1): a tuple field written as comma-separated values."""

    def __init__(self, item: type, length: int | None, check: Callable[[Any], Any] | None) -> None:
        self.item, self.length, self.check = item, length, check
        self.name = f"{item.__name__.upper()},..."

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",")]
            try:
                value = tuple(self.item(part) for part in parts if part or self.length is not None)
            except ValueError:
                example = ",".join(["0.8", "0.1", "0.1"][: self.length or 2])
                self.fail(
                    f"expected {self.item.__name__} values separated by commas such as {example}, got {value!r}",
                    param,
                    ctx,
                )
        if self.check is not None:
            try:
                value = self.check(value)
            except ValueError as error:
                self.fail(str(error), param, ctx)
        if self.length is not None and len(value) != self.length:
            self.fail(f"expected {self.length} values separated by commas, got {len(value)}", param, ctx)
        return tuple(value)


class ParsedText(click.ParamType):
    """A value the field's `parse` function reads from text (its ValueError becomes click's error)."""

    def __init__(self, parse: Callable[[str], Any], check: Callable[[Any], Any] | None, name: str) -> None:
        self.parse, self.check, self.name = parse, check, name

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            if isinstance(value, str):
                value = self.parse(value)
            return value if self.check is None else self.check(value)
        except ValueError as error:
            self.fail(str(error), param, ctx)
