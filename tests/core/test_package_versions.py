"""One list of package versions for run.json and results.json."""

from importlib import metadata

from productlens.core.package_versions import package_versions


def test_versions_cover_what_training_and_scoring_depend_on():
    versions = package_versions()
    needed = {"productlens", "torch", "transformers", "peft", "accelerate", "datasets", "evaluate", "numpy"}
    assert needed <= set(versions)
    assert versions["transformers"] == metadata.version("transformers")
