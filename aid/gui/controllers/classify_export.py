"""The Classify / Export tab's work: classify unlabelled files, export a model.

Both run in worker threads; requests are frozen dataclasses built by the panel,
so the worker never touches a widget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PyQt5.QtCore import QObject, pyqtSignal

from aid.errors import AssessmentError, ExportError
from aid.gui.controllers.assess import show_model_info
from aid.gui.controllers.panel_jobs import PanelJobs
from aid.gui.controllers.tasks import TaskRunner


@dataclass(frozen=True)
class ClassifyRequest:
    """Classify ``inputs`` (``.rtdc`` files, folders, zips) with ``model``."""

    model: str
    inputs: tuple[str, ...]
    out: str
    rtdc_dir: str | None = None
    #: AIDeveloper's sorting rule: ``threshold`` on class ``sorting_class``
    #: (``None``: each event gets its most likely class).
    sorting_class: int = 0
    threshold: float | None = None


@dataclass(frozen=True)
class ExportRequest:
    """Export ``model`` as ``fmt`` (see :data:`aid.export.api.FORMATS`) to ``out``."""

    model: str
    fmt: str
    out: str


def rtdc_inputs(inputs: Sequence[str], progress, cancelled) -> list[str]:
    """``.rtdc`` files for the inputs; image folders and zips are converted first."""
    from aid.data.table import DatasetTable
    from aid.gui.controllers.data_import import load_paths

    table = load_paths(list(inputs), DatasetTable(), progress, cancelled)
    return [entry.path for entry in table.entries]


def run_classify(request: ClassifyRequest, progress, cancelled):
    """Classify every event of the request's files (worker thread)."""
    from aid.evaluate.predict import classify_files
    from aid.modelfile.io import load_model

    if not request.model:
        raise AssessmentError("choose a model first")
    if not request.inputs:
        raise AssessmentError("add the files to classify first")
    if Path(request.out).suffix.lower() not in (".csv", ".xlsx"):
        raise AssessmentError("the results file must end in .csv or .xlsx")
    paths = rtdc_inputs(request.inputs, progress, cancelled)
    loaded = load_model(request.model)
    return classify_files(
        loaded,
        paths,
        request.out,
        rtdc_copy_dir=request.rtdc_dir,
        sorting_class=request.sorting_class,
        threshold=request.threshold,
        progress=progress,
        cancel=cancelled,
    )


def run_export(request: ExportRequest, progress, cancelled):
    """Export the request's model (worker thread)."""
    from aid.export.api import export_model

    if not request.model:
        raise ExportError("choose a model first")
    if not request.out:
        raise ExportError("choose where to save the exported model")
    return export_model(request.model, request.fmt, request.out)


class ClassifyExportController(PanelJobs):
    """Runs classifications and exports for a :class:`ClassifyExportPanel`."""

    classified = pyqtSignal(object)  # aid.evaluate.predict.ClassifyResult
    exported = pyqtSignal(object)  # aid.export.api.ExportResult

    def __init__(
        self, panel, parent: QObject | None = None, tasks: TaskRunner | None = None
    ) -> None:
        super().__init__(panel, parent, tasks)
        panel.classify_requested.connect(self.classify)
        panel.export_requested.connect(self.export)
        panel.cancel_requested.connect(self.cancel)
        panel.model_picker.path_changed.connect(
            lambda _path: show_model_info(
                self.tasks,
                panel.model_picker,
                self.error.emit,
                on_meta=lambda meta: panel.set_classes(meta.class_names),
            )
        )

    def classify(self, request: ClassifyRequest) -> None:
        self.run_job(
            lambda progress, cancelled: run_classify(request, progress, cancelled),
            "classifying…",
            self._on_classified,
        )

    def export(self, request: ExportRequest) -> None:
        self.run_job(
            lambda progress, cancelled: run_export(request, progress, cancelled),
            f"exporting {request.fmt}…",
            self._on_exported,
            cancellable=False,
        )

    def _on_classified(self, result) -> None:
        written = [str(result.out), *map(str, result.rtdc_copies)]
        self.panel.add_written(f"Classified {result.events} events", written)
        self.classified.emit(result)

    def _on_exported(self, result) -> None:
        self.panel.add_written(
            f"Exported as {result.fmt}", [str(result.path), str(result.sidecar_path)]
        )
        self.exported.emit(result)

    def open_model(self, path: str | Path) -> None:
        """Use the model at ``path`` (e.g. chosen in the History tab)."""
        self.panel.model_picker.set_path(str(path))


def make_classify_export_tab(window):
    """Main-window factory: the Classify / Export tab."""
    from aid.gui.controllers.history import route_history_requests
    from aid.gui.panels.classify_export_panel import ClassifyExportPanel

    panel = ClassifyExportPanel()
    controller = ClassifyExportController(panel, window, window.tasks)
    controller.error.connect(window.show_error)
    route_history_requests(window, "export_requested", controller.open_model, panel)
    window.classify_export = controller
    return panel
