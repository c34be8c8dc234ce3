"""Classify / Export tab: results files, .rtdc copies and exports with sidecars."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from PyQt5.QtCore import Qt

from aid.gui.controllers.classify_export import ClassifyExportController
from aid.gui.panels.classify_export_panel import EXPORT_FORMATS, ClassifyExportPanel

pytestmark = pytest.mark.gui
TIMEOUT_MS = 60_000


@pytest.fixture
def tab(qtbot, tutorial):
    panel = ClassifyExportPanel()
    qtbot.addWidget(panel)
    controller = ClassifyExportController(panel)
    panel.model_picker.set_path(tutorial / "models" / "M01_AutoCat_128.model")
    yield panel, controller
    controller.tasks.cancel_all()


def test_classify_writes_csv_and_rtdc_copies(qtbot, tab, tutorial, tmp_path):
    panel, controller = tab
    cat = tutorial / "data" / "validation" / "cat.rtdc"
    panel.add_inputs([str(cat), str(cat)])  # the duplicate is skipped
    panel.out_edit.setText(str(tmp_path / "out" / "results.csv"))
    panel.copies_edit.setText(str(tmp_path / "copies"))
    panel.copies_check.setChecked(True)
    with qtbot.waitSignal(controller.classified, timeout=TIMEOUT_MS) as done:
        qtbot.mouseClick(panel.classify_button, Qt.LeftButton)
    result = done.args[0]
    with open(tmp_path / "out" / "results.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == result.events == 200
    assert {r["file"] for r in rows} == {str(cat)}
    cats = sum(r["predicted_name"] == "cat" for r in rows)
    assert cats == 186  # as in the Assess tab's matrix (AIDeveloper: 93 % of 200)
    assert [p.name for p in result.rtdc_copies] == ["cat_aid.rtdc"]
    assert panel.written_paths() == [
        str(tmp_path / "out" / "results.csv"),
        str(result.rtdc_copies[0]),
    ]


def test_classify_with_a_sorting_threshold(qtbot, tab, tutorial, tmp_path):
    """The model's classes fill the sorting control; its rule reaches the results."""
    panel, controller = tab
    qtbot.waitUntil(lambda: panel.sorting.class_combo.count() == 2, timeout=TIMEOUT_MS)
    assert panel.sorting.isEnabled()
    assert panel.sorting.class_combo.itemText(1) == "cat"
    panel.sorting.set_threshold(0.95, class_index=1)  # cat only when p(cat) > 0.95
    panel.add_inputs([str(tutorial / "data" / "validation" / "cat.rtdc")])
    panel.out_edit.setText(str(tmp_path / "sorted.csv"))
    with qtbot.waitSignal(controller.classified, timeout=TIMEOUT_MS):
        panel.classify_button.click()
    with open(tmp_path / "sorted.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    sure = [float(row["score_cat"]) > 0.95 for row in rows]
    assert [row["predicted_name"] == "cat" for row in rows] == sure
    assert 0 < sum(sure) < 186  # fewer than the 186 cats of the plain argmax


def test_classify_converts_an_image_folder(qtbot, tab, image_class_folder, tmp_path):
    panel, controller = tab
    panel.add_inputs([str(image_class_folder)])
    panel.out_edit.setText(str(tmp_path / "images.xlsx"))
    with qtbot.waitSignal(controller.classified, timeout=TIMEOUT_MS) as done:
        panel.classify_button.click()
    assert done.args[0].events == 8  # 5 round + 3 square images
    assert (tmp_path / "images.xlsx").is_file()


def test_export_onnx_from_the_tab_writes_model_and_sidecar(qtbot, tab, tmp_path):
    import onnxruntime

    panel, controller = tab
    assert panel.export_edit.text().endswith("M01_AutoCat_128_onnx.onnx")  # suggested
    panel.format_combo.setCurrentIndex(2)  # tflite: the ending follows the format
    assert panel.export_edit.text().endswith("M01_AutoCat_128_onnx.tflite")
    panel.format_combo.setCurrentIndex(0)
    panel.export_edit.setText(str(tmp_path / "cells.onnx"))
    with qtbot.waitSignal(controller.exported, timeout=TIMEOUT_MS) as done:
        panel.export_button.click()
    result = done.args[0]
    assert result.path == tmp_path / "cells.onnx"
    sidecar = json.loads(Path(result.sidecar_path).read_text())
    assert sidecar["classes"] == ["automobile", "cat"]
    session = onnxruntime.InferenceSession(str(result.path))
    assert session.get_inputs()[0].shape[1:] == [32, 32, 1]
    assert str(result.sidecar_path) in panel.written_paths()


def error_after_click(qtbot, controller, button) -> str:
    with qtbot.waitSignal(controller.error, timeout=TIMEOUT_MS) as error:
        button.click()
    qtbot.waitUntil(lambda: not controller.busy)  # the buttons are enabled again
    return error.args[0]


def test_mistakes_are_messages_and_write_nothing(qtbot, tab, tutorial, tmp_path):
    panel, controller = tab
    message = error_after_click(qtbot, controller, panel.classify_button)
    assert message == "add the files to classify first"
    panel.add_inputs([str(tutorial / "data" / "validation" / "cat.rtdc")])
    panel.out_edit.setText(str(tmp_path / "results.txt"))
    assert ".csv or .xlsx" in error_after_click(
        qtbot, controller, panel.classify_button
    )
    panel.format_combo.setCurrentIndex(3)  # .keras needs a .keras name
    panel.export_edit.setText(str(tmp_path / "model.onnx"))
    message = error_after_click(qtbot, controller, panel.export_button)
    assert "must end in .keras" in message and "Traceback" not in message
    assert list(tmp_path.iterdir()) == []


def test_format_endings_match_the_exporter():
    from aid.export.api import FORMATS, SUFFIXES

    assert [fmt for fmt, *_ in EXPORT_FORMATS] == list(FORMATS)
    assert {fmt: suffix for fmt, _, suffix in EXPORT_FORMATS} == SUFFIXES
