"""The Assess tab: confusion matrix, metrics, curves and the images behind a cell.

The panel shows results and emits intents (``assess_requested``,
``cell_requested``, ``threshold_changed``, ``report_requested``); the
:class:`~aid.gui.controllers.assess.AssessController` does the work.
"""

from __future__ import annotations

from pathlib import Path

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from aid.gui.plots.assess_plots import ClassCurvesPlot, HistogramPlot
from aid.gui.qmodels.confusion_model import ConfusionModel
from aid.gui.qmodels.metrics_model import MetricsModel, SortingModel
from aid.gui.widgets.image_grid import ImageGrid
from aid.gui.widgets.model_picker import ModelPicker
from aid.gui.widgets.progress_row import ProgressRow
from aid.gui.widgets.sorting_control import SortingControl

DATA_TAB_CHOICE = "Validation and test files of the Data tab"


def _button(text: str, tip: str, slot) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    button.clicked.connect(slot)
    return button


def _table_view(model, tip: str) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setToolTip(tip)
    view.verticalHeader().hide()
    view.setEditTriggers(QAbstractItemView.NoEditTriggers)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class AssessPanel(QWidget):
    """Assessment of one model on labelled data."""

    assess_requested = pyqtSignal()
    cancel_requested = pyqtSignal()
    cell_requested = pyqtSignal(int, int, bool)  # true, predicted, with Grad-CAM
    threshold_changed = pyqtSignal(int, object)  # class index, threshold or None
    report_requested = pyqtSignal(str)  # folder

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.current_cell: tuple[int, int] | None = None
        self.shown_cell = None  # the CellImages on display
        self.model_picker = ModelPicker()
        self.confusion_model = ConfusionModel(self)
        self.metrics_model = MetricsModel(self)
        self.sorting_model = SortingModel(self)
        self.roc_plot = ClassCurvesPlot(
            "ROC", "false positive rate", "true positive rate", diagonal=True
        )
        self.pr_plot = ClassCurvesPlot(
            "Precision–recall", "recall", "precision", diagonal=False
        )
        self.histogram_plot = HistogramPlot()
        self.image_grid = ImageGrid(columns=5, tile_size=96)
        self.progress = ProgressRow("Events predicted so far.")
        self.progress.cancel_requested.connect(self.cancel_requested)
        self.status_label = QLabel("")
        self.status_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.status_label.setWordWrap(True)
        self._build_inputs()
        self._build_results()
        self._build_layout()
        self.set_results_enabled(False)

    # -- construction ----------------------------------------------------------
    def _build_inputs(self) -> None:
        self.data_combo = QComboBox()
        self.data_combo.addItem(DATA_TAB_CHOICE, None)
        self.data_combo.setToolTip(
            "Labelled images to assess the model on. Use files "
            "the model was not trained on (validation or test)."
        )
        self.data_combo.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.folder_button = _button(
            "Folder…",
            "Choose a folder of .rtdc files (one per class, named after it), "
            "train/valid/test sub-folders, or image class folders.",
            self._on_folder_clicked,
        )
        self.session_button = _button(
            "Session…",
            "Choose a saved AID session; its test (else validation) files "
            "are assessed.",
            self._on_session_clicked,
        )
        self.assess_button = _button(
            "Assess",
            "Predict every event of the data with the model and compare with "
            "the true classes.",
            self.assess_requested.emit,
        )
        self.assess_button.setDefault(True)

    def _build_results(self) -> None:
        self.confusion_view = _table_view(
            self.confusion_model,
            "Rows: true class. Columns: predicted class. Blue: "
            "correct, red: wrong; the darker, the larger the share of the row. Click a "
            "cell to see its images.",
        )
        # no selection colour: it would hide the shading; the shown cell is bold
        self.confusion_view.setSelectionMode(QAbstractItemView.NoSelection)
        self.confusion_view.verticalHeader().show()
        self.confusion_view.clicked.connect(self._on_cell_clicked)
        self.confusion_view.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.confusion_view.verticalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.percent_check = QCheckBox("Show % of each true class")
        self.percent_check.setToolTip(
            "Show each cell as a percentage of its row (the "
            "events of that true class) instead of counts."
        )
        self.percent_check.toggled.connect(self.confusion_model.set_percent)
        self.sorting = SortingControl()
        self.sorting.changed.connect(self.threshold_changed)
        self.gradcam_check = QCheckBox("Show where the model looks (Grad-CAM)")
        self.gradcam_check.setToolTip(
            "Colour the image regions that speak most for the "
            "predicted class (red: strong). Works for "
            "convolutional networks."
        )
        self.gradcam_check.toggled.connect(self._on_gradcam_toggled)
        self.cell_label = QLabel(
            "Click a cell of the confusion matrix to see its images."
        )
        self.cell_label.setWordWrap(True)
        self.report_button = _button(
            "Save report…",
            "Save a one-page summary (PNG and PDF) of this assessment: "
            "matrix, curves, metrics, model and data.",
            self._on_report_clicked,
        )

    def _build_layout(self) -> None:
        inputs = QGroupBox("Model and data")
        grid = QVBoxLayout(inputs)
        grid.addWidget(self.model_picker)
        data_row = QHBoxLayout()
        data_row.addWidget(QLabel("Data:"))
        data_row.addWidget(self.data_combo, 1)
        data_row.addWidget(self.folder_button)
        data_row.addWidget(self.session_button)
        data_row.addWidget(self.assess_button)
        grid.addLayout(data_row)
        grid.addWidget(self.progress)
        matrix_box = QGroupBox(
            "Confusion matrix (rows: true class, columns: predicted)"
        )
        matrix = QVBoxLayout(matrix_box)
        matrix.addWidget(self.confusion_view, 1)
        matrix.addWidget(self.percent_check)
        threshold_box = QGroupBox("Sorting")
        QHBoxLayout(threshold_box).addWidget(self.sorting)
        metrics_box = QGroupBox("Metrics")
        metrics = QVBoxLayout(metrics_box)
        metrics.addWidget(
            _table_view(
                self.metrics_model,
                "Precision: share of events "
                "predicted as the class that truly are. Recall: "
                "share of the class that is found. F1: their "
                "balance.",
            ),
            5,
        )
        metrics.addWidget(
            _table_view(
                self.sorting_model,
                "Sorting the class of interest: "
                "its share before (initial) and after (final), "
                "the enrichment factor and the yield.",
            ),
            4,
        )
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(threshold_box)
        lower_layout.addWidget(metrics_box, 1)
        matrix_split = QSplitter(Qt.Vertical)  # the user sets the matrix's share
        matrix_split.addWidget(matrix_box)
        matrix_split.addWidget(lower)
        matrix_split.setSizes([230, 450])
        left_layout.addWidget(matrix_split, 1)
        report_row = QHBoxLayout()
        report_row.addWidget(self.status_label, 1)
        report_row.addWidget(self.report_button)
        left_layout.addLayout(report_row)
        images = QWidget()
        images_layout = QVBoxLayout(images)
        images_layout.addWidget(self.cell_label)
        images_layout.addWidget(self.gradcam_check)
        images_layout.addWidget(self.image_grid, 1)
        self.result_tabs = QTabWidget()
        self.result_tabs.addTab(images, "Images of the cell")
        self.result_tabs.addTab(self.roc_plot.widget, "ROC")
        self.result_tabs.addTab(self.pr_plot.widget, "Precision–recall")
        self.result_tabs.addTab(self.histogram_plot.widget, "Probabilities")
        body = QSplitter(Qt.Horizontal)
        body.addWidget(left)
        body.addWidget(self.result_tabs)
        body.setStretchFactor(0, 1)
        body.setStretchFactor(1, 1)
        body.setSizes([780, 640])
        layout = QVBoxLayout(self)
        layout.addWidget(inputs)
        layout.addWidget(body, 1)

    # -- intents ---------------------------------------------------------------
    def _add_data_choice(self, path: str) -> None:
        index = self.data_combo.findData(path)
        if index < 0:
            self.data_combo.addItem(path, path)
            index = self.data_combo.count() - 1
        self.data_combo.setCurrentIndex(index)

    def _on_folder_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose labelled data")
        if folder:
            self._add_data_choice(folder)

    def _on_session_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose a session", "", "AID session (*.json)"
        )
        if path:
            self._add_data_choice(path)

    def set_data_path(self, path: str | Path) -> None:
        """Assess the files of a folder or session file."""
        self._add_data_choice(str(path))

    def data_choice(self) -> str | None:
        """Folder or session to assess; ``None`` for the Data tab's files."""
        return self.data_combo.currentData()

    def threshold_setting(self) -> tuple[int, float | None]:
        """Class of interest and threshold (``None``: most likely class)."""
        return self.sorting.setting()

    def _on_cell_clicked(self, index) -> None:
        self.request_cell(index.row(), index.column())

    def request_cell(self, true: int, pred: int) -> None:
        """Ask for the images of one cell (as a click on it does)."""
        self.current_cell = (true, pred)
        self.confusion_model.set_marked((true, pred))
        self.result_tabs.setCurrentIndex(0)
        self.cell_label.setText("Loading images…")
        self.cell_requested.emit(true, pred, self.gradcam_check.isChecked())

    def _on_gradcam_toggled(self, _checked: bool) -> None:
        if self.current_cell is not None:
            self.request_cell(*self.current_cell)

    def _on_report_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder for the report")
        if folder:
            self.report_requested.emit(folder)

    # -- results from the controller -------------------------------------------
    def set_busy(self, busy: bool, text: str = "", cancellable: bool = True) -> None:
        self.progress.set_busy(busy, text, cancellable)
        self.assess_button.setEnabled(not busy)
        has_results = self.sorting.class_combo.count() > 0
        self.report_button.setEnabled(not busy and has_results)

    def set_progress(self, done: int, total: int) -> None:
        self.progress.set_progress(done, total)

    def show_status(self, text: str) -> None:
        self.status_label.setText(text)

    def set_results_enabled(self, enabled: bool) -> None:
        for widget in (
            self.sorting,
            self.percent_check,
            self.report_button,
            self.gradcam_check,
        ):
            widget.setEnabled(enabled)

    def show_outcome(self, outcome) -> None:
        """Show a new assessment (curves; predictions follow via the threshold)."""
        names = outcome.result.assessment.class_names
        self.sorting.set_classes(names)
        self.roc_plot.set_curves(names, outcome.roc)
        self.pr_plot.set_curves(names, outcome.pr)
        self.current_cell = None
        self.image_grid.clear()
        self.cell_label.setText(
            "Click a cell of the confusion matrix to see its images."
        )
        self.set_results_enabled(True)
        result = outcome.result
        self.show_status(
            f"{Path(str(result.provenance['model'])).name}: "
            f"{len(result.assessment.labels)} events from "
            f"{len(outcome.table.entries)} files"
        )

    def show_predictions(self, assessment) -> None:
        """Matrix, metrics and histograms for the current threshold."""
        self.confusion_model.set_counts(
            assessment.confusion_matrix(), assessment.class_names
        )
        self.metrics_model.set_assessment(assessment)
        self.sorting_model.set_assessment(assessment)
        name = assessment.class_names[assessment.sorting_class]
        edges, counts = assessment.probability_histograms(assessment.sorting_class)
        self.histogram_plot.set_histograms(
            f"Probability of '{name}' per true class", edges, counts
        )
        self.histogram_plot.set_threshold(assessment.threshold)
        if self.current_cell is not None:
            self.image_grid.clear()
            self.shown_cell = None
            self.confusion_model.set_marked(None)
            self.cell_label.setText(
                "The predictions changed: click a cell again to see its images."
            )
            self.current_cell = None

    def show_cell_images(self, cell) -> None:
        """Show the images of one cell (a :class:`CellImages`)."""
        names = self.confusion_model.headerData
        true = names(cell.true, Qt.Vertical)
        pred = names(cell.pred, Qt.Horizontal)
        shown = len(cell.images)
        note = (
            "" if shown == cell.total else f"Showing the first {shown} of {cell.total}."
        )
        self.cell_label.setText(
            f"<b>{cell.total}</b> events of true class <b>{true}</b> "
            f"predicted as <b>{pred}</b> (p = probability of "
            f"'{pred}')."
        )
        self.image_grid.set_images(cell.images, cell.captions, cell.heat_maps, note)
        self.shown_cell = cell


if __name__ == "__main__":
    import sys

    from PyQt5.QtWidgets import QApplication

    from aid.gui.controllers.assess import AssessController

    app = QApplication(sys.argv)
    panel = AssessPanel()
    controller = AssessController(panel)
    controller.error.connect(lambda message: print("error:", message))
    if len(sys.argv) > 2:
        panel.model_picker.set_path(sys.argv[1])
        panel.set_data_path(sys.argv[2])
    panel.resize(1300, 800)
    panel.show()
    sys.exit(app.exec_())
