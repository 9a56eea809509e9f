"""The versions of the packages a result depends on, recorded in run.json and results.json alike."""

from __future__ import annotations

from importlib import metadata

# The union of what training (torch ... bitsandbytes) and scoring (evaluate, numpy) depend on; a
# package that is not installed (deepspeed, bitsandbytes on a CPU machine) is left out of the record.
VERSIONED_PACKAGES = (
    "productlens",
    "torch",
    "transformers",
    "peft",
    "accelerate",
    "datasets",
    "evaluate",
    "numpy",
    "deepspeed",
    "bitsandbytes",
)


def package_versions() -> dict[str, str]:
    """{package: version} for the installed packages of VERSIONED_PACKAGES."""
    versions = {}
    for package in VERSIONED_PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return versions
