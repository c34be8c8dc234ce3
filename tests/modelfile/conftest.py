"""Fixtures for the model-file tests: the AIDeveloper tutorial model and its data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from aid.data.preprocess import convert_color, crop_batch, normalize
from aid.data.rtdc import open_rtdc
from aid.modelfile.meta import ModelMeta


@pytest.fixture(scope="session")
def tutorial_models(tutorial: Path) -> Path:
    """``aid-tutorial/models``: M01_AutoCat_128.model, .arch, _meta.xlsx."""
    return tutorial / "models"


@pytest.fixture(scope="session")
def legacy_model_path(tutorial_models: Path) -> Path:
    return tutorial_models / "M01_AutoCat_128.model"


def _model_inputs(rtdc_path: Path, meta: ModelMeta) -> np.ndarray:
    """AIDeveloper's inference preprocessing of a whole file, as ``meta`` says."""
    prep = meta.preprocessing
    with open_rtdc(rtdc_path) as rtdc:
        images = convert_color(rtdc.images(), prep.color_mode)
        crops = crop_batch(
            images,
            rtdc.centers_px(),
            prep.input_size,
            prep.padding,
            zoom=float(meta.source.get("zoom_factor", 1.0)),
            interpolation=prep.zoom_interpolation,
        )
    return normalize(crops, prep)


@pytest.fixture(scope="session")
def model_inputs():
    """``model_inputs(rtdc_path, meta)``: preprocessed float32 ``(N,S,S,C)``."""
    return _model_inputs
