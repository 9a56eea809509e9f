"""The floors of docs/ARCHITECTURE.md, read from the code's own imports: a module imports only its own
floor and those below it. core is the ground floor; reports renders and sits beside the stages.

    core             core
    generate         core, generate
    finetune         core, generate, finetune
    finetune/phi3v   core, finetune.phi3v   (the native model depends on no catalogue or recipe)
    evaluate         core, generate, finetune, evaluate
    reports          core, reports

A command's own modules (cli.py, cli_*.py) may also import reports, to render.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLOORS = ("core", "generate", "finetune", "evaluate", "reports")
ALLOWED: dict[str, set[str]] = {
    "core": {"core"},
    "generate": {"core", "generate"},
    "finetune": {"core", "generate", "finetune"},
    "finetune.phi3v": {"core", "finetune.phi3v"},
    "evaluate": {"core", "generate", "finetune", "evaluate"},
    "reports": {"core", "reports"},
}


def floor_of(module: str) -> str | None:
    """ "productlens.finetune.phi3v.tiny" -> "finetune.phi3v"; None for anything outside productlens."""
    parts = module.split(".")
    if parts[0] != "productlens" or len(parts) < 2 or parts[1] not in FLOORS:
        return None
    if parts[1] == "finetune" and len(parts) > 2 and parts[2] == "phi3v":
        return "finetune.phi3v"
    return parts[1]


def imported_modules(source: str, package: str) -> list[tuple[int, str]]:
    """(line, module) for every import in `source`, at the top or inside a function; `from productlens
    import generate` counts as productlens.generate, and relative imports resolve against `package`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            for alias in node.names:
                # `from productlens import evaluate` names a floor; `from x.y import name` is x.y itself.
                found.append((node.lineno, f"{base}.{alias.name}" if base == "productlens" else base))
    return found


def violations(path: Path) -> list[str]:
    relative = path.relative_to(ROOT)
    package = "productlens." + ".".join(relative.parent.parts)
    own = floor_of(f"{package}.{relative.stem}")
    assert own is not None, relative
    allowed = set(ALLOWED[own])
    if relative.name == "cli.py" or relative.name.startswith("cli_"):
        allowed.add("reports")
    if "finetune" in allowed:
        allowed.add("finetune.phi3v")  # the model package is part of finetune
    found = []
    for line, module in sorted(set(imported_modules(path.read_text(encoding="utf-8"), package))):
        target = floor_of(module)
        if target is None or target in allowed:
            continue
        found.append(f"{relative}:{line} imports {module} ({own} may import {', '.join(sorted(allowed))})")
    return found


def library_files() -> list[Path]:
    return sorted(path for floor in FLOORS for path in (ROOT / floor).rglob("*.py"))


def test_every_module_imports_only_its_floor_and_those_below():
    assert len(library_files()) > 100
    found = [problem for path in library_files() for problem in violations(path)]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    ("file", "line", "allowed"),
    [
        ("core/atomic_writes.py", "from productlens.generate.taxonomy import TAXONOMY", False),
        ("generate/export.py", "from productlens.finetune.answer_format import PromptStyle", False),
        ("reports/terminal.py", "from productlens.evaluate.schema import Results", False),
        ("finetune/phi3v/modeling.py", "from productlens.finetune.config import TINY", False),
        ("evaluate/scoring.py", "import productlens.reports.html", False),
        ("generate/summary.py", "    from productlens import finetune", False),
        ("evaluate/cli.py", "from productlens.reports import terminal", True),
        ("finetune/recipe.py", "from productlens.finetune.phi3v import load_phi3v", True),
        ("reports/html.py", "from productlens.core.atomic_writes import atomic_write_text", True),
    ],
)
def test_a_forbidden_import_is_caught(tmp_path, monkeypatch, file, line, allowed):
    """The rule bites: the same module with one more import line passes or fails as the floors say."""
    copy = tmp_path / file
    copy.parent.mkdir(parents=True)
    source = (ROOT / file).read_text(encoding="utf-8")
    body = f"def _added():\n{line}\n" if line.startswith(" ") else f"{line}\n"
    copy.write_text(source + "\n\n" + body, encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert (violations(copy) == []) is allowed
