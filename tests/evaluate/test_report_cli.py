"""The PNG/PDF report and the ``aid assess`` / ``aid predict`` commands."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from aid.cli import main
from aid.evaluate.metrics import Assessment
from aid.evaluate.report import write_report

MODEL = "models/M01_AutoCat_128.model"


def test_report_files_are_real_png_and_pdf(tmp_path) -> None:
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 3, 300)
    scores = rng.dirichlet(np.ones(3), 300) + np.eye(3)[labels]
    scores /= scores.sum(axis=1, keepdims=True)
    assessment = Assessment(scores, labels, ("a", "b", "c"), threshold=0.5)
    files = write_report(
        assessment,
        tmp_path / "rep",
        provenance={"model": "m.keras"},
        data_files=[f"f{i}.rtdc" for i in range(30)],
        timing={"mean_ms": 1.0},
    )
    png, pdf = files.png.read_bytes(), files.pdf.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 50_000
    assert pdf[:5] == b"%PDF-" and len(pdf) > 20_000


def test_assess_json_on_tutorial_model(tutorial, capsys) -> None:
    code = main(
        [
            "assess",
            str(tutorial / MODEL),
            "--data",
            str(tutorial / "data" / "test"),
            "--json",
            "--batch-size",
            "512",
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)  # exactly one JSON object
    assert out["accuracy"] >= 0.90
    assert out["accuracy"] == pytest.approx(0.908)  # 1,816 / 2,000 as AIDeveloper
    assert out["confusion_matrix"] == [[886, 114], [70, 930]]
    assert set(out["per_class"]) == {"automobile", "cat"}
    assert out["per_class"]["cat"]["support"] == 1000
    assert out["per_class"]["cat"]["recall"] == pytest.approx(0.93)
    assert 0.95 < out["auc"] < 0.98
    assert out["provenance"]["legacy"] is True and out["provenance"]["epoch"] == 128


def test_assess_matches_classes_by_name_and_writes_report(
    tutorial, tmp_path, capsys
) -> None:
    only_cats = tmp_path / "cats"
    only_cats.mkdir()
    (only_cats / "cat.rtdc").symlink_to(tutorial / "data" / "test" / "cat.rtdc")
    code = main(
        [
            "assess",
            str(tutorial / MODEL),
            "--data",
            str(only_cats),
            "--json",
            "--report",
            str(tmp_path / "rep"),
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    # cat is class 0 of this folder but class 1 of the model
    assert out["confusion_matrix"] == [[0, 0], [70, 930]]
    assert out["auc"] is None  # one class only: no ROC
    assert (tmp_path / "rep" / "assessment.png").stat().st_size > 20_000
    assert (tmp_path / "rep" / "assessment.pdf").is_file()


def test_predict_command_writes_csv(tutorial, tmp_path, capsys) -> None:
    out = tmp_path / "cats.csv"
    code = main(
        [
            "predict",
            str(tutorial / MODEL),
            str(tutorial / "data" / "test" / "cat.rtdc"),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert "1000 events" in capsys.readouterr().out
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sum(r["predicted_name"] == "cat" for r in rows) == 930


def test_command_errors_are_reported_not_raised(tutorial, tmp_path, capsys) -> None:
    code = main(["assess", str(tutorial / MODEL), "--data", str(tmp_path / "nothing")])
    assert code == 2
    assert "error:" in capsys.readouterr().err
    code = main(
        [
            "predict",
            str(tutorial / MODEL),
            str(tmp_path / "x.rtdc"),
            "--out",
            str(tmp_path / "o.csv"),
        ]
    )
    assert code == 2 and "no such file" in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()


def test_assess_session_file_uses_its_validation_files(
    tutorial, tmp_path, capsys
) -> None:
    from aid.data.folders import table_from_paths
    from aid.data.table import Session

    data = tutorial / "data"
    files = [
        data / "train" / "cat.rtdc",
        data / "validation" / "automobile.rtdc",
        data / "validation" / "cat.rtdc",
    ]
    table = table_from_paths(files, roles=["train", "valid", "valid"])
    session = Session(table).save(tmp_path / "s.aidsession.json")
    assert (
        main(["assess", str(tutorial / MODEL), "--data", str(session), "--json"]) == 0
    )
    out = json.loads(capsys.readouterr().out)
    # the recorded val_acc of epoch 128: 373 / 400
    assert out["events"] == 400 and out["accuracy"] == pytest.approx(0.9325)
    assert (
        main(
            [
                "assess",
                str(tutorial / MODEL),
                "--data",
                str(session),
                "--json",
                "--role",
                "train",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["events"] == 1000
    assert (
        main(
            ["assess", str(tutorial / MODEL), "--data", str(session), "--role", "test"]
        )
        == 2
    )
    assert "no files with role 'test'" in capsys.readouterr().err
