"""The repository layout: stage folders map into productlens.*, Hugging Face's evaluate is not shadowed."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("core", "generate", "finetune", "evaluate", "reports")


def run_from_root(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_import_evaluate_from_root_is_hugging_face():
    origin = run_from_root("import evaluate; print(evaluate.__file__)")
    assert "site-packages" in origin or "dist-packages" in origin, origin
    assert run_from_root("import evaluate; print(hasattr(evaluate, 'Metric'))") == "True"


def test_productlens_stages_import_from_our_folders():
    # The strict editable install (README) imports through links to these files, so resolve them.
    for stage in STAGES:
        module = sorted((ROOT / stage).glob("*.py"))[0]
        origin = run_from_root(
            f"import importlib.util; print(importlib.util.find_spec('productlens.{stage}.{module.stem}').origin)"
        )
        assert Path(origin).resolve() == module


def test_stage_folders_have_no_top_init():
    for stage in STAGES:
        assert not (ROOT / stage / "__init__.py").exists(), f"{stage}/__init__.py would shadow imports"


def test_every_package_folder_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = set()
    for stage in STAGES:
        found.add(f"productlens.{stage}")
        for init in (ROOT / stage).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / stage)
            found.add(".".join(("productlens", stage, *relative.parts)))
    assert found == listed, f"add these to [tool.setuptools] packages: {sorted(found - listed)}"


def test_every_module_is_installed():
    # The strict editable install links the files that existed when it ran; a new one needs the install again.
    import importlib.util

    missing = []
    for stage in STAGES:
        for path in (ROOT / stage).rglob("*.py"):
            module = ".".join(("productlens", stage, *path.relative_to(ROOT / stage).with_suffix("").parts))
            if importlib.util.find_spec(module.removesuffix(".__init__")) is None:
                missing.append(module)
    assert not missing, (
        f"not importable: {missing}; run the README's install command again "
        '(pip install -e ".[dev]" --config-settings editable_mode=strict) to link new modules'
    )
