"""Fixtures of the assessment tests: the AIDeveloper tutorial model, loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def tutorial_model(tutorial: Path):
    """``M01_AutoCat_128.model`` with the preprocessing from its meta file."""
    from aid.modelfile.io import load_model

    return load_model(tutorial / "models" / "M01_AutoCat_128.model")


@pytest.fixture(scope="session")
def test_files(tutorial: Path) -> list[Path]:
    """Tutorial test files: automobile (class 0), cat (class 1); 1,000 events each."""
    return [
        tutorial / "data" / "test" / "automobile.rtdc",
        tutorial / "data" / "test" / "cat.rtdc",
    ]
