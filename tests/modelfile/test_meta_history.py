"""AIDeveloper History sheets read with AID's metric names."""

import math

import numpy as np

from aid.modelfile.meta_history import meta_history
from aid.modelfile.meta_xlsx import read_aid_meta, write_aid_meta


def test_version_0_4_8_history_with_learning_rate(tmp_path):
    history = [
        {"row": 0, "loss": 0.9, "accuracy": 0.5, "val_loss": 1.0, "val_accuracy": 0.4,
         "Saved": 1, "Time": 3.5, "LearningRate": 0.001},
        {"row": 1, "loss": 0.7, "accuracy": 0.6, "val_loss": 0.8, "val_accuracy": 0.55,
         "Saved": 0, "Time": 3.25, "LearningRate": 0.0005},
        {"row": "total", "loss": None},  # not an epoch: skipped
        {"row": 2, "loss": 0.6, "accuracy": 0.7, "val_loss": 0.7, "val_accuracy": 0.6,
         "Saved": 1, "Time": None, "LearningRate": 0.0005},
    ]  # fmt: skip
    path = write_aid_meta(
        tmp_path / "m_meta.xlsx", [], [], [{"Nr. epochs": 3}], history
    )
    result = meta_history(read_aid_meta(path))
    assert list(result.epochs) == [0, 1, 2]
    assert result.saved == {0, 2}
    assert set(result.metrics) == {
        "loss", "accuracy", "val_loss", "val_accuracy", "seconds", "learning_rate"
    }  # fmt: skip
    np.testing.assert_allclose(result.metrics["learning_rate"], [1e-3, 5e-4, 5e-4])
    assert result.metrics["seconds"][:2].tolist() == [3.5, 3.25]
    assert math.isnan(result.metrics["seconds"][2])  # AIDeveloper's empty last Time


def test_old_names_are_mapped(tutorial):
    result = meta_history(read_aid_meta(tutorial / "models" / "M01_AutoCat_meta.xlsx"))
    assert set(result.metrics) == {
        "accuracy", "val_accuracy", "loss", "val_loss", "seconds"
    }  # fmt: skip
    assert len(result.saved) == 29 and 128 in result.saved and 159 not in result.saved
    assert int(np.nanargmax(result.metrics["val_accuracy"])) == 128
