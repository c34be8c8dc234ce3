"""The Assess tab's work: predict labelled data, then explore the result.

Model loading, prediction, the images behind a confusion-matrix cell (with
Grad-CAM) and the report run in worker threads (:class:`TaskRunner`). Moving
the threshold only re-derives predictions from the stored scores
(:meth:`Assessment.with_threshold`), so it is instant and never re-predicts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from PyQt5.QtCore import QObject, pyqtSignal

from aid.data.table import DatasetTable
from aid.errors import AssessmentError
from aid.evaluate.assess import AssessmentResult
from aid.evaluate.metrics import Assessment
from aid.gui.controllers.panel_jobs import PanelJobs
from aid.gui.controllers.tasks import TaskRunner
from aid.gui.widgets.model_picker import ModelPicker, describe_meta

#: At most this many images of a cell are shown (the note says how many exist).
MAX_CELL_IMAGES = 300
#: Roles of Data-tab rows that are assessed.
ASSESSED_ROLES = ("valid", "test")


@dataclass(frozen=True)
class AssessOutcome:
    """A finished assessment: model, the table its sources refer to, curves."""

    loaded: Any
    table: DatasetTable
    result: AssessmentResult
    roc: dict
    pr: dict


@dataclass(frozen=True)
class CellImages:
    """The events of one confusion-matrix cell, as the model saw them."""

    true: int
    pred: int
    sources: np.ndarray  # (n, 2) row in the table, event index (shown events)
    total: int  # events in the cell
    images: np.ndarray  # uint8 (n, S, S, C)
    captions: list[str]
    heat_maps: np.ndarray | None


def show_model_info(
    tasks: TaskRunner,
    picker: ModelPicker,
    on_error: Callable[[str], None],
    on_meta: Callable[[Any], None] | None = None,
) -> None:
    """Read the metadata of the picker's model in a thread and show one line of it.

    ``on_meta`` also gets the metadata (:class:`aid.modelfile.meta.ModelMeta`).
    """
    from aid.modelfile.io import read_meta

    path = picker.path
    if not path:
        return

    def failed(message: str) -> None:
        picker.set_info("cannot read this model")
        on_error(message)

    def read(meta) -> None:
        if picker.path != path:
            return  # another model was chosen meanwhile; its own read follows
        picker.set_info(describe_meta(meta))
        if on_meta is not None:
            on_meta(meta)

    tasks.start(
        lambda progress, cancelled: read_meta(path),
        on_success=read,
        on_error=failed,
    )


def data_tab_rows(table: DatasetTable) -> DatasetTable:
    """Keep the validation and test rows of the Data tab's table."""
    rows = tuple(e for e in table.entries if e.role in ASSESSED_ROLES)
    if not rows:
        raise AssessmentError(
            "the Data tab has no validation or test files; mark some "
            "files as 'valid' or 'test', or choose a folder"
        )
    return replace(table, entries=rows)


def run_assessment(
    model_path: str,
    table: DatasetTable | None,
    data_path: str | None,
    cached: Any,
    progress,
    cancelled,
) -> AssessOutcome:
    """Load the model (unless ``cached`` is it) and assess the data (worker thread)."""
    from aid.evaluate.assess import align_classes, assess, load_table
    from aid.modelfile.io import load_model

    if not model_path:
        raise AssessmentError("choose a model first")
    loaded = cached if cached is not None and str(cached.path) == model_path else None
    loaded = loaded or load_model(model_path)
    data = data_tab_rows(table) if data_path is None else load_table(data_path)
    result = assess(loaded, data, progress=progress, cancel=cancelled)
    aligned = align_classes(data, tuple(loaded.meta.class_names))
    assessment = result.assessment
    return AssessOutcome(
        loaded, aligned, result, assessment.roc_curves(), assessment.pr_curves()
    )


def load_cell_images(
    outcome: AssessOutcome,
    assessment: Assessment,
    true: int,
    pred: int,
    gradcam: bool,
    limit: int = MAX_CELL_IMAGES,
) -> CellImages:
    """Read the first ``limit`` events of a cell, optionally with Grad-CAM maps."""
    from aid.data.preprocess import normalize
    from aid.data.sampling import load_entry_events

    in_cell = (assessment.labels == true) & (assessment.predicted == pred)
    sources = assessment.sources[in_cell][:limit]
    scores = assessment.scores[in_cell][:limit, pred]
    prep = outcome.loaded.meta.preprocessing
    images = np.zeros((len(sources), *prep.input_shape), np.uint8)
    for row in dict.fromkeys(sources[:, 0].tolist()):  # file by file, order kept
        here = np.flatnonzero(sources[:, 0] == row)
        entry = outcome.table.entries[row]
        images[here] = load_entry_events(entry, sources[here, 1], prep, prep.input_size)
    captions = [
        f"{Path(outcome.table.entries[r].path).stem} #{e}\np = {s:.3f}"
        for (r, e), s in zip(sources.tolist(), scores, strict=True)
    ]
    heat = None
    if gradcam and len(images):
        from aid.evaluate.gradcam import grad_cam

        heat = grad_cam(outcome.loaded.model, normalize(images, prep), pred)
    return CellImages(true, pred, sources, int(in_cell.sum()), images, captions, heat)


class AssessController(PanelJobs):
    """Runs assessments for an :class:`AssessPanel` and keeps the result."""

    assessed = pyqtSignal(object)  # AssessOutcome
    cell_shown = pyqtSignal(object)  # CellImages
    report_written = pyqtSignal(object)  # ReportFiles

    def __init__(
        self,
        panel,
        current_table: Callable[[], DatasetTable] | None = None,
        parent: QObject | None = None,
        tasks: TaskRunner | None = None,
    ) -> None:
        super().__init__(panel, parent, tasks)
        self._current_table = current_table
        self.outcome: AssessOutcome | None = None
        self.assessment: Assessment | None = None
        self._cell_request = 0
        panel.assess_requested.connect(self.start)
        panel.cancel_requested.connect(self.cancel)
        panel.cell_requested.connect(self.show_cell)
        panel.threshold_changed.connect(self.set_threshold)
        panel.report_requested.connect(self.save_report)
        panel.model_picker.path_changed.connect(
            lambda _path: show_model_info(
                self.tasks, panel.model_picker, self.error.emit
            )
        )

    # -- assessing ----------------------------------------------------------------
    def start(self) -> None:
        """Assess the chosen model on the chosen data (in a thread)."""
        model_path, data_path = self.panel.model_picker.path, self.panel.data_choice()
        table = self._current_table() if self._current_table else None
        if not self.busy and data_path is None and table is None:
            self.error.emit("Choose a folder or session file with labelled data.")
            return
        cached = self.outcome.loaded if self.outcome else None
        self.run_job(
            lambda progress, cancelled: run_assessment(
                model_path, table, data_path, cached, progress, cancelled
            ),
            "predicting…",
            self._on_assessed,
            busy_message="An assessment is already running; wait or cancel it.",
        )

    def _on_assessed(self, outcome: AssessOutcome) -> None:
        self.outcome = outcome
        self.panel.show_outcome(outcome)
        self.set_threshold(*self.panel.threshold_setting())
        self.assessed.emit(outcome)

    # -- exploring --------------------------------------------------------------------
    def set_threshold(self, class_index: int, threshold: float | None) -> None:
        """Predict with ``threshold`` on ``class_index`` (``None``: argmax)."""
        if self.outcome is None:
            return
        base = self.outcome.result.assessment
        try:
            self.assessment = base.with_threshold(class_index, threshold)
        except AssessmentError as exc:
            self.error.emit(str(exc))
            return
        self.panel.show_predictions(self.assessment)

    def show_cell(self, true: int, pred: int, gradcam: bool) -> None:
        """Load the images behind one matrix cell (in a thread)."""
        if self.outcome is None or self.assessment is None:
            return
        self._cell_request += 1
        request, outcome, assessment = self._cell_request, self.outcome, self.assessment

        def done(cell: CellImages) -> None:
            if request == self._cell_request:  # a later click wins
                self.panel.show_cell_images(cell)
                self.cell_shown.emit(cell)

        self.tasks.start(
            lambda progress, cancelled: load_cell_images(
                outcome, assessment, true, pred, gradcam
            ),
            on_success=done,
            on_error=self.error.emit,
        )

    def save_report(self, folder: str) -> None:
        """Write the report (PNG and PDF) of the current predictions (in a thread)."""
        if self.outcome is None or self.assessment is None:
            self.error.emit("Assess a model first; the report shows its results.")
            return
        from aid.evaluate.report import write_report

        assessment, outcome = self.assessment, self.outcome
        files = [e.path for e in outcome.table.entries]
        self.panel.set_busy(True, "writing the report…", cancellable=False)

        def written(report) -> None:
            self.panel.set_busy(False)
            self.panel.show_status(f"Report saved: {report.png} and {report.pdf}")
            self.report_written.emit(report)

        def failed(message: str) -> None:
            self.panel.set_busy(False)
            self.error.emit(message)

        self.tasks.start(
            lambda progress, cancelled: write_report(
                assessment,
                folder,
                provenance=outcome.result.provenance,
                data_files=files,
            ),
            on_success=written,
            on_error=failed,
        )

    def open_model(self, path: str | Path) -> None:
        """Use the model at ``path`` (e.g. chosen in the History tab)."""
        self.panel.model_picker.set_path(str(path))


def make_assess_tab(window):
    """Main-window factory: the Assess tab, reading the Data tab's table."""
    from aid.gui.controllers.history import route_history_requests
    from aid.gui.panels.assess_panel import AssessPanel

    panel = AssessPanel()
    data = getattr(window, "data", None)
    controller = AssessController(
        panel, (lambda: data.table) if data else None, window, window.tasks
    )
    controller.error.connect(window.show_error)
    route_history_requests(window, "assess_requested", controller.open_model, panel)
    window.assess = controller
    return panel
