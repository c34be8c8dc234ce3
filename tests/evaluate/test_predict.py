"""Streaming prediction and classification of files with the tutorial model."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import dclab
import numpy as np
import pytest
from openpyxl import load_workbook

from aid.data.preprocess import Preprocessing
from aid.errors import AssessmentError
from aid.evaluate.metrics import Assessment
from aid.evaluate.predict import PredictionCancelled, classify_files, predict_table


def test_exported_validation_set_reproduces_recorded_val_acc(
    tutorial, tutorial_model
) -> None:
    models = tutorial / "models"
    data = models / "M01_AutoCat_Valid_Data.rtdc"
    labels = np.loadtxt(models / "M01_AutoCat_Valid_Labels.txt", dtype=np.int64)
    seen = []
    p = predict_table(
        tutorial_model,
        [data],
        batch_size=128,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert p.scores.shape == (400, 2) and p.scores.dtype == np.float32
    np.testing.assert_allclose(p.scores.sum(axis=1), 1.0, atol=1e-5)
    assert np.all(p.labels == -1)  # plain paths are unlabelled
    np.testing.assert_array_equal(
        p.sources, np.stack([np.zeros(400), np.arange(400)], 1)
    )
    assert p.file_paths == [str(data)]
    assert seen == [(128, 400), (256, 400), (384, 400), (400, 400)]
    a = Assessment(p.scores, labels, tutorial_model.meta.class_names, p.sources)
    # 373 of 400: the val_acc AIDeveloper recorded for epoch 128 (0.9325)
    assert int(np.trace(a.confusion_matrix())) == 373


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.filterwarnings("ignore::UserWarning")  # dclab on the tutorial attributes
def test_classify_csv_and_userdef_copies_open_in_dclab(
    tmp_path, tutorial_model, test_files
) -> None:
    reference = predict_table(tutorial_model, test_files)
    result = classify_files(
        tutorial_model,
        test_files,
        tmp_path / "pred.csv",
        rtdc_copy_dir=tmp_path / "copies",
        batch_size=300,
    )
    assert result.events == 2000
    rows = _read_csv(result.out)
    assert len(rows) == 2000
    assert list(rows[0]) == [
        "file",
        "event",
        "predicted",
        "predicted_name",
        "score_automobile",
        "score_cat",
    ]
    predicted = np.array([int(r["predicted"]) for r in rows])
    np.testing.assert_array_equal(predicted, reference.predicted)
    np.testing.assert_allclose(
        [float(r["score_cat"]) for r in rows], reference.scores[:, 1], rtol=1e-5
    )
    assert rows[1000]["file"] == str(test_files[1]) and rows[1000]["event"] == "0"
    assert {r["predicted_name"] for r in rows} == {"automobile", "cat"}

    assert [c.name for c in result.rtdc_copies] == [
        "automobile_aid.rtdc",
        "cat_aid.rtdc",
    ]
    for row, (source, copy) in enumerate(
        zip(test_files, result.rtdc_copies, strict=True)
    ):
        mine = reference.sources[:, 0] == row
        with dclab.new_dataset(copy) as ds, dclab.new_dataset(source) as original:
            assert len(ds) == 1000
            np.testing.assert_array_equal(ds["userdef0"], reference.predicted[mine])
            np.testing.assert_allclose(
                ds["userdef1"], reference.scores[mine, 0], rtol=1e-6
            )
            np.testing.assert_allclose(
                ds["userdef2"], reference.scores[mine, 1], rtol=1e-6
            )
            assert "userdef3" not in ds
            np.testing.assert_array_equal(ds["image"][5], original["image"][5])
    # a second run does not overwrite the first copies
    again = classify_files(
        tutorial_model,
        test_files[:1],
        tmp_path / "p2.csv",
        rtdc_copy_dir=tmp_path / "copies",
    )
    assert again.rtdc_copies[0].name == "automobile_aid_1.rtdc"


def test_classify_xlsx_with_threshold(tmp_path, tutorial_model, test_files) -> None:
    reference = predict_table(tutorial_model, test_files[1:])
    result = classify_files(
        tutorial_model,
        test_files[1:],
        tmp_path / "pred.xlsx",
        sorting_class=1,
        threshold=0.9,
    )
    book = load_workbook(result.out, read_only=True)
    assert book.sheetnames == ["Info", "Predictions"]
    info = {row[0]: row[1] for row in book["Info"].iter_rows(values_only=True)}
    assert info["threshold"] == 0.9 and info["sorting class"] == 1
    rows = list(book["Predictions"].iter_rows(values_only=True))
    assert rows[0][:4] == ("file", "event", "predicted", "predicted_name")
    assert len(rows) == 1001
    predicted = np.array([r[2] for r in rows[1:]])
    np.testing.assert_array_equal(predicted, (reference.scores[:, 1] > 0.9).astype(int))
    assert (
        predicted.sum() < (reference.predicted == 1).sum()
    )  # the threshold is stricter


def test_cancel_leaves_no_output(tmp_path, tutorial_model, test_files) -> None:
    out = tmp_path / "pred.csv"
    calls = []

    def cancel() -> bool:  # stop in the second file, after the first file's copy
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(PredictionCancelled):
        classify_files(
            tutorial_model,
            test_files,
            out,
            batch_size=500,
            cancel=cancel,
            rtdc_copy_dir=tmp_path / "copies",
        )
    assert len(calls) == 4
    assert not out.exists()
    assert (
        list((tmp_path / "copies").iterdir()) == []
    )  # the finished copy is removed too


def test_bad_requests_are_typed_errors(tmp_path, tutorial_model, test_files) -> None:
    with pytest.raises(AssessmentError, match=r"\.csv or \.xlsx"):
        classify_files(tutorial_model, test_files, tmp_path / "pred.txt")
    with pytest.raises(AssessmentError, match="not found"):
        classify_files(tutorial_model, [tmp_path / "missing.rtdc"], tmp_path / "p.csv")
    rgb = dataclasses.replace(
        tutorial_model,
        meta=dataclasses.replace(
            tutorial_model.meta, preprocessing=Preprocessing(32, "rgb")
        ),
    )
    with pytest.raises(AssessmentError, match="expects inputs"):
        predict_table(rgb, test_files)
    assert list(tmp_path.iterdir()) == []
