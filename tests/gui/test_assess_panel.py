"""Assess tab: AIDeveloper's tutorial model on the tutorial validation files."""

from __future__ import annotations

import numpy as np
import pytest
from PyQt5.QtCore import Qt

from aid.gui.controllers.assess import AssessController
from aid.gui.panels.assess_panel import AssessPanel

pytestmark = pytest.mark.gui
TIMEOUT_MS = 120_000


@pytest.fixture
def assessed(qtbot, tutorial):
    """Panel and controller after assessing the legacy model (400 events)."""
    panel = AssessPanel()
    qtbot.addWidget(panel)
    panel.resize(1300, 800)
    panel.show()
    controller = AssessController(panel)
    panel.model_picker.set_path(tutorial / "models" / "M01_AutoCat_128.model")
    panel.set_data_path(tutorial / "data" / "validation")
    with qtbot.waitSignal(controller.assessed, timeout=TIMEOUT_MS):
        qtbot.mouseClick(panel.assess_button, Qt.LeftButton)
    yield panel, controller
    controller.tasks.cancel_all()


def click_cell(qtbot, panel, controller, true: int, pred: int):
    view = panel.confusion_view
    centre = view.visualRect(panel.confusion_model.index(true, pred)).center()
    with qtbot.waitSignal(controller.cell_shown, timeout=TIMEOUT_MS) as shown:
        qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=centre)
    return shown.args[0]


def shown_counts(panel) -> np.ndarray:
    model = panel.confusion_model
    return np.array(
        [
            [model.count(t, p) for p in range(model.columnCount())]
            for t in range(model.rowCount())
        ]
    )


def test_matrix_matches_aideveloper_and_a_cell_shows_exactly_its_images(
    qtbot, assessed
):
    panel, controller = assessed
    assessment = controller.assessment
    assert assessment.accuracy == pytest.approx(0.9325)  # AIDeveloper's val_acc
    np.testing.assert_array_equal(shown_counts(panel), [[187, 13], [14, 186]])
    assert panel.confusion_model.headerData(1, Qt.Horizontal) == "cat"
    cell = click_cell(qtbot, panel, controller, 1, 0)  # cats taken for automobiles
    assert panel.image_grid.count() == panel.confusion_model.count(1, 0) == 14
    np.testing.assert_array_equal(
        panel.shown_cell.sources, assessment.cell_events(1, 0)
    )
    assert cell.images.shape == (14, 32, 32, 1)
    assert all(caption.startswith("cat #") for caption in panel.image_grid.captions())
    panel.percent_check.setChecked(True)
    assert panel.confusion_model.data(panel.confusion_model.index(1, 0)) == "7.0 %"


def test_threshold_slider_changes_matrix_and_metrics_without_predicting(
    qtbot, assessed
):
    panel, controller = assessed
    scores_before = controller.outcome.result.assessment.scores
    panel.sorting.set_threshold(0.5, class_index=1)
    argmax = shown_counts(panel)
    # p(cat) > 0.95: few events sorted as cat
    panel.sorting.threshold_slider.setValue(950)
    strict = shown_counts(panel)
    expected = controller.outcome.result.assessment.with_threshold(1, 0.95)
    np.testing.assert_array_equal(strict, expected.confusion_matrix())
    assert strict[:, 1].sum() < argmax[:, 1].sum()
    assert strict.sum() == argmax.sum() == 400
    rows = {r["name"]: r["value"] for r in panel.sorting_model.rows()}
    assert rows["Sorted when"] == "p(cat) > 0.950"
    assert rows["Yield (%)"] == pytest.approx(expected.sorting().yield_, abs=1e-3)
    assert panel.histogram_plot.threshold_line.value() == pytest.approx(0.95)
    assert controller.outcome.result.assessment.scores is scores_before


def test_gradcam_overlay_and_report(qtbot, assessed, tmp_path):
    panel, controller = assessed
    click_cell(qtbot, panel, controller, 0, 0)
    assert panel.shown_cell.heat_maps is None
    with qtbot.waitSignal(controller.cell_shown, timeout=TIMEOUT_MS) as shown:
        panel.gradcam_check.setChecked(True)
    cell = shown.args[0]
    assert cell.heat_maps.shape == (187, 32, 32)
    assert 0.0 <= cell.heat_maps.min() and cell.heat_maps.max() <= 1.0
    with qtbot.waitSignal(controller.report_written, timeout=TIMEOUT_MS) as written:
        panel.report_requested.emit(str(tmp_path / "report"))
    report = written.args[0]
    assert report.png.read_bytes()[:4] == b"\x89PNG"
    assert report.pdf.read_bytes()[:4] == b"%PDF"


def test_problems_are_readable_messages(qtbot, tmp_path, tutorial):
    panel = AssessPanel()
    qtbot.addWidget(panel)
    controller = AssessController(panel)
    with qtbot.waitSignal(controller.error) as no_data:
        panel.assess_requested.emit()  # no Data tab and no folder
    assert "folder" in no_data.args[0]
    panel.set_data_path(tmp_path)  # an empty folder
    with qtbot.waitSignal(controller.error, timeout=TIMEOUT_MS) as no_model:
        panel.assess_requested.emit()
    assert no_model.args[0] == "choose a model first"
    panel.model_picker.set_path(tutorial / "models" / "M01_AutoCat_128.model")
    with qtbot.waitSignal(controller.error, timeout=TIMEOUT_MS) as empty:
        panel.assess_requested.emit()
    assert str(tmp_path) in empty.args[0] and "Traceback" not in empty.args[0]
    assert controller.outcome is None


def test_a_second_start_while_assessing_is_refused(qtbot, tutorial):
    panel = AssessPanel()
    qtbot.addWidget(panel)
    controller = AssessController(panel)
    panel.model_picker.set_path(tutorial / "models" / "M01_AutoCat_128.model")
    panel.set_data_path(tutorial / "data" / "validation")
    with qtbot.waitSignal(controller.assessed, timeout=TIMEOUT_MS):
        controller.start()
        assert controller.busy
        with qtbot.waitSignal(controller.error) as refused:
            controller.start()
        assert "already running" in refused.args[0]
    assert not controller.busy and controller.outcome is not None
