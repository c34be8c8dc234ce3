"""``aid train`` and ``aid lr-find`` on the AIDeveloper tutorial data."""

from __future__ import annotations

import csv
import json

from aid.cli import main


def test_cli_train_on_tutorial_data(tmp_path, capsys, train_args) -> None:
    run = tmp_path / "run"
    code = main(train_args(run, size=32, epochs=2, events=50))
    out = capsys.readouterr().out
    assert code == 0
    epoch_lines = [line for line in out.splitlines() if line.startswith("epoch ")]
    assert len(epoch_lines) == 2 and "val_accuracy" in epoch_lines[0]
    assert "completed after 2 epochs" in out
    with (run / "history.csv").open(newline="") as handle:
        history = list(csv.DictReader(handle))
    assert len(history) == 2
    config = json.loads((run / "config.json").read_text())
    assert config["class_names"] == ["automobile", "cat"]
    assert config["config"]["preprocessing"]["input_size"] == 32


def test_cli_lr_find_json_and_errors(tutorial, tmp_path, capsys) -> None:
    data = tutorial / "data"
    code = main(
        [
            "lr-find",
            str(data / "train"),
            "--valid",
            str(data / "validation"),
            "--model",
            "TinyCNN",
            "--size",
            "16",
            "--events-per-epoch",
            "16",
            "--steps",
            "12",
            "--json",
        ]
    )
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["suggested_lr"] > 0 and len(result["lrs"]) <= 12
    assert main(["train", str(data / "train"), "--model", "TinyCNN"]) == 2
    assert "--out" in capsys.readouterr().err
    assert main(["train", "--resume", str(tmp_path)]) == 2
    assert "not a resumable run folder" in capsys.readouterr().err
