"""The Classify / Export tab: apply a model to new data, or export it.

The panel builds frozen requests (:class:`ClassifyRequest`,
:class:`ExportRequest`) and emits them; the
:class:`~aid.gui.controllers.classify_export.ClassifyExportController` runs them.
"""

from __future__ import annotations

from pathlib import Path

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aid.gui.controllers.classify_export import ClassifyRequest, ExportRequest
from aid.gui.widgets.model_picker import ModelPicker
from aid.gui.widgets.progress_row import ProgressRow
from aid.gui.widgets.sorting_control import SortingControl

#: (format, label, file ending) as offered; endings as in aid.export.api.SUFFIXES
EXPORT_FORMATS = (
    ("onnx", "ONNX (.onnx): for ONNX Runtime, C++, C#, Java", ".onnx"),
    ("savedmodel", "TensorFlow SavedModel (a folder)", ""),
    ("tflite", "TensorFlow Lite (.tflite): phones and small devices", ".tflite"),
    ("keras", "Keras (.keras): Python with normalisation built in", ".keras"),
)


def _button(text: str, tip: str, slot) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    button.clicked.connect(slot)
    return button


class ClassifyExportPanel(QWidget):
    """Model choice, classification of unlabelled files and model export."""

    classify_requested = pyqtSignal(object)  # ClassifyRequest
    export_requested = pyqtSignal(object)  # ExportRequest
    cancel_requested = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_picker = ModelPicker()
        self.model_picker.path_changed.connect(self._on_model_changed)
        self.progress = ProgressRow("Events classified so far.")
        self.progress.cancel_requested.connect(self.cancel_requested)
        self._build_classify()
        self._build_export()
        self.written_list = QListWidget()
        self.written_list.setToolTip(
            "Files written in this session; select and copy a path with Ctrl+C."
        )
        self.written_list.setTextElideMode(Qt.ElideMiddle)
        self.written_list.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self._build_layout()

    # -- construction ----------------------------------------------------------
    def _build_classify(self) -> None:
        self.input_list = QListWidget()
        self.input_list.setToolTip("The files whose events will be classified.")
        self.input_list.setSelectionMode(QListWidget.ExtendedSelection)
        self.add_files_button = _button(
            "Add files…",
            "Add .rtdc files or zips of images.",
            self._on_add_files_clicked,
        )
        self.add_folder_button = _button(
            "Add folder…",
            "Add a folder of .rtdc files or of images (image folders are "
            "converted to .rtdc first).",
            self._on_add_folder_clicked,
        )
        self.remove_button = _button(
            "Remove", "Take the selected files off the list.", self._on_remove_clicked
        )
        self.out_edit = QLineEdit()
        self.out_edit.setPlaceholderText("results.csv")
        self.out_edit.setToolTip(
            "Results table: one row per event with the file, event "
            "number, predicted class and the probability of each "
            "class. End the name in .csv or .xlsx (Excel)."
        )
        self.out_button = _button(
            "Browse…", "Choose the results file.", self._on_out_clicked
        )
        self.copies_check = QCheckBox(
            "Also write .rtdc copies with the predictions (for Shape-Out, dclab)"
        )
        self.copies_check.setToolTip(
            "Write a copy of each .rtdc file with the predicted class in 'userdef0' "
            "and the class probabilities in 'userdef1', 'userdef2', … (open them in "
            "Shape-Out or dclab to gate by class)."
        )
        self.copies_edit = QLineEdit()
        self.copies_edit.setToolTip("Folder for the .rtdc copies.")
        self.copies_button = _button(
            "Browse…", "Choose the folder for the copies.", self._on_copies_clicked
        )
        self.sorting = SortingControl()
        self.sorting.setToolTip(
            "Optional sorting rule for the predicted class, as on the Assess tab "
            "(choose the model first: its classes are listed here)."
        )
        self.sorting.setEnabled(False)
        self.classify_button = _button(
            "Classify", "Classify every event of the files.", self._on_classify_clicked
        )

    def _build_export(self) -> None:
        self.format_combo = QComboBox()
        for fmt, label, _suffix in EXPORT_FORMATS:
            self.format_combo.addItem(label, fmt)
        self.format_combo.setToolTip(
            "File format of the exported model. Every format has "
            "the pixel scaling built in and gets a .json file "
            "that says how to crop and feed the images."
        )
        self.format_combo.currentIndexChanged.connect(self._on_format_changed)
        self.export_edit = QLineEdit()
        self.export_edit.setToolTip(
            "Where to write the exported model (a new folder for SavedModel)."
        )
        self.export_browse = _button(
            "Browse…",
            "Choose where to save the exported model.",
            self._on_export_browse_clicked,
        )
        self.export_button = _button(
            "Export",
            "Convert the model and check that it predicts exactly as in AID.",
            self._on_export_clicked,
        )

    def _build_layout(self) -> None:
        model_box = QGroupBox("Model")
        QVBoxLayout(model_box).addWidget(self.model_picker)
        classify_box = QGroupBox("Classify new data")
        grid = QGridLayout(classify_box)
        buttons = QVBoxLayout()
        for button in (
            self.add_files_button,
            self.add_folder_button,
            self.remove_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        grid.addWidget(self.input_list, 0, 0, 1, 2)
        grid.addLayout(buttons, 0, 2)
        grid.addWidget(QLabel("Results file:"), 1, 0)
        grid.addWidget(self.out_edit, 1, 1)
        grid.addWidget(self.out_button, 1, 2)
        grid.addWidget(self.copies_check, 2, 0, 1, 3)
        copies_label = QLabel("Copies folder:")
        copies_label.setToolTip(self.copies_edit.toolTip())
        grid.addWidget(copies_label, 3, 0)
        grid.addWidget(self.copies_edit, 3, 1)
        grid.addWidget(self.copies_button, 3, 2)
        grid.addWidget(QLabel("Sorting:"), 4, 0)
        grid.addWidget(self.sorting, 4, 1, 1, 2)
        grid.addWidget(self.classify_button, 5, 2)
        grid.setColumnStretch(1, 1)
        export_box = QGroupBox("Export the model")
        export = QGridLayout(export_box)
        export.addWidget(QLabel("Format:"), 0, 0)
        export.addWidget(self.format_combo, 0, 1, 1, 2)
        export.addWidget(QLabel("Save as:"), 1, 0)
        export.addWidget(self.export_edit, 1, 1)
        export.addWidget(self.export_browse, 1, 2)
        export.addWidget(self.export_button, 2, 2)
        export.setColumnStretch(1, 1)
        written_box = QGroupBox("Written files")
        QVBoxLayout(written_box).addWidget(self.written_list)
        columns = QHBoxLayout()
        columns.addWidget(classify_box, 3)
        right = QVBoxLayout()
        right.addWidget(export_box)
        right.addWidget(written_box, 1)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(model_box)
        layout.addLayout(columns, 1)
        layout.addWidget(self.progress)

    # -- intents ---------------------------------------------------------------
    def add_inputs(self, paths: list[str]) -> None:
        """Add files or folders to classify (duplicates are skipped)."""
        present = set(self.inputs())
        for path in paths:
            if str(path) not in present:
                self.input_list.addItem(str(path))

    def inputs(self) -> list[str]:
        return [self.input_list.item(i).text() for i in range(self.input_list.count())]

    def _on_add_files_clicked(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "Files to classify", "", "Data (*.rtdc *.zip);;All files (*)"
        )
        self.add_inputs(files)

    def _on_add_folder_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder to classify")
        if folder:
            self.add_inputs([folder])

    def _on_remove_clicked(self) -> None:
        for item in self.input_list.selectedItems():
            self.input_list.takeItem(self.input_list.row(item))

    def _on_out_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Results file", self.out_edit.text(), "CSV (*.csv);;Excel (*.xlsx)"
        )
        if path:
            self.out_edit.setText(path)

    def _on_copies_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder for the .rtdc copies")
        if folder:
            self.copies_edit.setText(folder)
            self.copies_check.setChecked(True)

    def classify_request(self) -> ClassifyRequest:
        """Return what the controls ask for."""
        copies = (
            self.copies_edit.text().strip() if self.copies_check.isChecked() else ""
        )
        sorting_class, threshold = self.sorting.setting()
        return ClassifyRequest(
            self.model_picker.path,
            tuple(self.inputs()),
            self.out_edit.text().strip(),
            copies or None,
            sorting_class,
            threshold,
        )

    def set_classes(self, names: list[str]) -> None:
        """Offer the chosen model's classes for the sorting rule."""
        self.sorting.set_classes(names)
        self.sorting.setEnabled(bool(names))

    def _on_classify_clicked(self) -> None:
        self.classify_requested.emit(self.classify_request())

    def export_format(self) -> tuple[str, str]:
        """Chosen format and its file ending."""
        fmt, _label, suffix = EXPORT_FORMATS[self.format_combo.currentIndex()]
        return fmt, suffix

    def _suggested_export_path(self) -> str:
        fmt, suffix = self.export_format()
        if not self.model_picker.path:
            return ""
        model = Path(self.model_picker.path)
        return str(model.with_name(f"{model.stem}_{fmt}{suffix}"))

    def _on_model_changed(self, _path: str) -> None:
        self.export_edit.setText(self._suggested_export_path())

    def _on_format_changed(self, _index: int) -> None:
        current = self.export_edit.text().strip()
        if current:
            fmt, suffix = self.export_format()
            stem = Path(current)
            for _fmt, _label, old in EXPORT_FORMATS:
                if old and stem.suffix == old:
                    stem = stem.with_suffix("")
            self.export_edit.setText(str(stem) + suffix)

    def _on_export_browse_clicked(self) -> None:
        fmt, suffix = self.export_format()
        if fmt == "savedmodel":
            path = QFileDialog.getExistingDirectory(
                self, "New empty folder for the model"
            )
        else:
            path, _ = QFileDialog.getSaveFileName(
                self, "Export the model", self.export_edit.text(), f"*{suffix}"
            )
        if path:
            self.export_edit.setText(path)

    def _on_export_clicked(self) -> None:
        fmt, _suffix = self.export_format()
        self.export_requested.emit(
            ExportRequest(self.model_picker.path, fmt, self.export_edit.text().strip())
        )

    # -- state from the controller ---------------------------------------------
    def set_busy(self, busy: bool, text: str = "", cancellable: bool = True) -> None:
        self.progress.set_busy(busy, text, cancellable)
        self.classify_button.setEnabled(not busy)
        self.export_button.setEnabled(not busy)

    def set_progress(self, done: int, total: int) -> None:
        self.progress.set_progress(done, total)

    def add_written(self, what: str, paths: list[str]) -> None:
        """List files just written, newest first."""
        for path in reversed(paths):
            self.written_list.insertItem(0, f"{what}: {path}")
            self.written_list.item(0).setToolTip(path)

    def written_paths(self) -> list[str]:
        items = (self.written_list.item(i) for i in range(self.written_list.count()))
        return [item.toolTip() for item in items]


if __name__ == "__main__":
    import sys

    from PyQt5.QtWidgets import QApplication

    from aid.gui.controllers.classify_export import ClassifyExportController

    app = QApplication(sys.argv)
    panel = ClassifyExportPanel()
    controller = ClassifyExportController(panel)
    controller.error.connect(lambda message: print("error:", message))
    if len(sys.argv) > 1:
        panel.model_picker.set_path(sys.argv[1])
        panel.add_inputs(sys.argv[2:])
    panel.resize(1200, 700)
    panel.show()
    sys.exit(app.exec_())
