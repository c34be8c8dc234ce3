"""One training process for the multi-worker and second-backend tests.

Run as ``python training_worker.py RUN_DIR TUTORIAL_DIR DEVICE [--multi-worker]
[--predict]``
(``TF_CONFIG`` / ``KERAS_BACKEND`` come from the environment). Trains TinyCNN for
up to 3 epochs on 16 px crops of the AIDeveloper tutorial data. After epoch 0 the
chief edits ``RUN/params.json`` (epochs 3 -> 2, a new learning rate), so every
worker must apply that change at epoch 1. Prints one JSON line: status, epochs
run, the changes applied per epoch, the final weights digest, the backend, the
distribution used, whether TensorFlow was imported and, with ``--predict``, the
best model's scores on the validation files.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from aid.augment import AugmentConfig
from aid.data.folders import table_from_folder
from aid.data.preprocess import Preprocessing
from aid.train.config import TrainConfig
from aid.train.distribute import tf_config_rank
from aid.train.events import EpochEnded, ParamsApplied, TrainEvent
from aid.train.params import write_params
from aid.train.run import run_training

LIVE_CHANGE = {"epochs": 2, "learning_rate": 0.005}


def predict_validation(model_path: Path, tutorial: Path) -> dict[str, object]:
    """Predict the validation files with the saved model (the core's path)."""
    import numpy as np

    from aid.evaluate.predict import predict_table
    from aid.modelfile.io import load_model

    valid = table_from_folder(tutorial / "data" / "validation", role="valid")
    predictions = predict_table(load_model(model_path), valid)
    return {
        "count": int(len(predictions.scores)),
        "rows_sum_to_1": bool(
            np.allclose(predictions.scores.sum(axis=1), 1, atol=1e-4)
        ),
        "accuracy": float(np.mean(predictions.scores.argmax(1) == predictions.labels)),
    }


def main(
    run_dir: Path, tutorial: Path, device: str, multi_worker: bool, predict: bool
) -> None:
    data = tutorial / "data"
    table = table_from_folder(data / "train", events_per_epoch=16).add(
        table_from_folder(
            data / "validation", role="valid", events_per_epoch=16
        ).entries
    )
    config = TrainConfig(
        zoo_name="TinyCNN",
        preprocessing=Preprocessing(input_size=16),
        epochs=3,
        batch_size=8,
        augmentation=AugmentConfig.none(),
        device=device,
        multi_worker=multi_worker,
    )
    chief = not multi_worker or tf_config_rank()[1] == 0
    applied: list[list[object]] = []

    def report(event: TrainEvent) -> None:
        if isinstance(event, ParamsApplied):
            applied.append([event.epoch, dict(event.changes)])
        if isinstance(event, EpochEnded) and event.epoch == 0 and chief:
            write_params(run_dir, **LIVE_CHANGE)

    result = run_training(config, table, run_dir=run_dir, report=report)
    import keras

    scores = predict_validation(result.best_model, tutorial) if predict else None
    print(
        json.dumps(
            {
                "status": result.status,
                "epochs_run": result.epochs_run,
                "applied": applied,
                "weights_sha256": result.weights_sha256,
                "backend": keras.backend.backend(),
                "devices": result.devices,
                "tensorflow_imported": "tensorflow" in sys.modules,
                "best_model": str(result.best_model),
                "predict": scores,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main(
        Path(sys.argv[1]),
        Path(sys.argv[2]),
        sys.argv[3],
        "--multi-worker" in sys.argv,
        "--predict" in sys.argv,
    )
