"""Fixtures shared by every test area.

Area-specific fixtures live in ``tests/<area>/conftest.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("AID_SHARED_DATA", REPO.parent / "shared" / "data"))
TUTORIAL = SHARED_DATA / "aid-tutorial"
RTDC_SAMPLES = SHARED_DATA / "rtdc-samples"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The read-only ``../shared/data`` folder (skips when it is absent)."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not available")
    return SHARED_DATA


@pytest.fixture(scope="session")
def tutorial(shared_data: Path) -> Path:
    """AIDeveloper Tutorial 1 files (``aid-tutorial/``)."""
    return shared_data / "aid-tutorial"


@pytest.fixture(scope="session")
def rtdc_samples(shared_data: Path) -> Path:
    """Real RT-DC edge-case files (``rtdc-samples/``)."""
    return shared_data / "rtdc-samples"


@pytest.fixture(autouse=True)
def _isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep settings and user model folders of tests out of the real home."""
    base = tmp_path_factory.mktemp("userdirs")
    monkeypatch.setenv("AID_CONFIG_DIR", str(base / "config"))
    monkeypatch.setenv("AID_USER_MODELS", str(base / "models"))
