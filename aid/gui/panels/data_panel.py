"""The Data tab: files, classes, roles and a preview of what the network sees.

The panel shows a :class:`DatasetTableModel` and emits intents
(``paths_requested``, ``demo_requested``); the :class:`DataController` does the
work in a thread and reports back through :meth:`set_busy` / :meth:`set_progress`.
"""

from __future__ import annotations

import numpy as np
from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from aid.data.preprocess import Preprocessing
from aid.data.rtdc import open_rtdc
from aid.data.sampling import load_entry_events
from aid.errors import AidError
from aid.gui.qmodels.dataset_model import ClassOverviewModel, DatasetTableModel
from aid.gui.widgets.images import ImageTile

DROP_HINT = (
    "Drop <b>.rtdc</b> files, <b>folders of images</b> (one sub-folder per class) or "
    "<b>zips</b> of such folders anywhere on this window."
)


class DataPanel(QWidget):
    """Dataset table, class overview and image preview."""

    paths_requested = pyqtSignal(list)  # list[str]
    demo_requested = pyqtSignal()
    cancel_requested = pyqtSignal()

    def __init__(self, model: DatasetTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.preprocessing = Preprocessing()
        self._rng = np.random.default_rng()
        self.overview_model = ClassOverviewModel(self)
        self.table_view = self._make_table_view()
        self.overview_view = QTableView()
        self.overview_view.setModel(self.overview_model)
        self.overview_view.verticalHeader().hide()
        self.overview_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeToContents
        )
        self.overview_view.horizontalHeader().setStretchLastSection(True)
        self.overview_view.setToolTip(
            "Images per class and role: how many there are in the "
            "files and how many each epoch draws. Balanced "
            "events/epoch give every class the same weight."
        )
        self.original_tile = ImageTile("original", 150)
        self.processed_tile = ImageTile("as the network sees it", 150)
        self.original_tile.setToolTip(
            "A random image of the selected file, as recorded."
        )
        self.processed_tile.setToolTip(
            "The same image after colour conversion, zoom and "
            "cropping to the input size set on the Train tab."
        )
        self.banner = self._make_banner()
        self.progress = QProgressBar()
        self.progress.setToolTip("Progress of converting images to .rtdc files.")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip(
            "Stop the conversion; nothing half-written is kept."
        )
        self.cancel_button.clicked.connect(self.cancel_requested)
        self._build_layout()
        model.table_changed.connect(self._on_model_table_changed)
        model.modelReset.connect(self._on_model_table_changed)
        self.table_view.selectionModel().currentRowChanged.connect(
            self._on_current_row_changed
        )
        self.set_busy(False)
        self._on_model_table_changed()

    # -- construction ----------------------------------------------------------------
    def _make_table_view(self) -> QTableView:
        view = QTableView()
        view.setModel(self.model)
        view.setSelectionBehavior(QAbstractItemView.SelectRows)
        view.setAlternatingRowColors(True)
        view.verticalHeader().hide()
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self.model.toggle_column)
        view.setEditTriggers(
            QAbstractItemView.DoubleClicked
            | QAbstractItemView.EditKeyPressed
            | QAbstractItemView.SelectedClicked
        )
        view.setToolTip(
            "One row per file. Double-click a cell to edit it; click a column "
            "header (Role, Events/epoch, Shuffle) to switch it for all files."
        )
        return view

    def _make_banner(self) -> QFrame:
        banner = QFrame()
        banner.setObjectName("banner")
        banner.setStyleSheet(
            "#banner { background: #eef4fb; border: 1px solid #9cbce0; "
            "border-radius: 6px; } QLabel { background: transparent; }"
        )
        text = QLabel(
            "<b>No data yet.</b> " + DROP_HINT + "<br>New to AID? Load a small "
            "demo (hand-written digits 0, 1 and 7) and train a model in a minute."
        )
        text.setWordWrap(True)
        demo = QPushButton("Try the demo")
        demo.setToolTip(
            "Load 3 classes of small hand-written digit images (from "
            "scikit-learn) split into training and validation files."
        )
        demo.clicked.connect(self.demo_requested)
        layout = QHBoxLayout(banner)
        layout.addWidget(text, 1)
        layout.addWidget(demo)
        return banner

    def _button(self, text: str, tip: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    def _build_layout(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(
            self._button(
                "Add files…",
                "Choose .rtdc files or zips of image folders.",
                self._on_add_files_clicked,
            )
        )
        bar.addWidget(
            self._button(
                "Add folder…",
                "Choose a folder of .rtdc files or of image class folders.",
                self._on_add_folder_clicked,
            )
        )
        bar.addWidget(
            self._button(
                "Remove selected",
                "Take the selected files out of the table (the files stay on disk).",
                self._on_remove_clicked,
            )
        )
        bar.addStretch(1)
        bar.addWidget(self.progress)
        bar.addWidget(self.cancel_button)
        overview_box = QGroupBox("Classes")
        QVBoxLayout(overview_box).addWidget(self.overview_view)
        preview_box = QGroupBox("Preview of the selected file")
        tiles = QHBoxLayout()
        tiles.addWidget(self.original_tile)
        tiles.addWidget(self.processed_tile)
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.addLayout(tiles)
        preview_layout.addWidget(
            self._button(
                "Another image",
                "Show another random image of the selected file.",
                self.show_preview,
            )
        )
        side = QSplitter(Qt.Vertical)
        side.addWidget(overview_box)
        side.addWidget(preview_box)
        body = QSplitter(Qt.Horizontal)
        body.addWidget(self.table_view)
        body.addWidget(side)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(bar)
        layout.addWidget(body, 1)
        hint = QLabel(DROP_HINT)
        hint.setStyleSheet("color: gray")
        layout.addWidget(hint)

    # -- intents
    def _on_add_files_clicked(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "Add data files", "", "Data (*.rtdc *.zip);;All files (*)"
        )
        if files:
            self.paths_requested.emit(files)

    def _on_add_folder_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a data folder")
        if folder:
            self.paths_requested.emit([folder])

    def _on_remove_clicked(self) -> None:
        rows = sorted(
            {i.row() for i in self.table_view.selectionModel().selectedRows()}
        )
        self.model.remove_rows(rows)

    # -- state from the controller
    def set_busy(self, busy: bool, text: str = "") -> None:
        """Show or hide the import progress."""
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.progress.setRange(0, 0)
        self.progress.setFormat(text or "%v / %m")

    def set_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def set_preprocessing(self, prep: Preprocessing) -> None:
        """Crop size, colour mode and padding used for the preview."""
        self.preprocessing = prep
        self.show_preview()

    # -- model updates
    def _on_model_table_changed(self, *_args) -> None:
        table = self.model.table
        self.overview_model.set_table(table)
        self.banner.setVisible(not table.entries)
        if table.entries and not self.table_view.selectionModel().hasSelection():
            self.table_view.selectRow(0)
        self.table_view.resizeColumnsToContents()
        self.table_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)

    def _on_current_row_changed(self, *_args) -> None:
        self.show_preview()

    def show_preview(self) -> None:
        """Show a random image of the current row, original and preprocessed."""
        row = self.table_view.currentIndex().row()
        if not 0 <= row < self.model.rowCount():
            self.original_tile.set_image(None, "original")
            self.processed_tile.set_image(None, "as the network sees it")
            return
        entry = self.model.entry(row)
        try:
            with open_rtdc(entry.path) as rtdc:
                index = int(self._rng.integers(rtdc.n_events))
                original = rtdc.images(np.array([index]))[0]
            prep = self.preprocessing
            processed = load_entry_events(
                entry, np.array([index]), prep, prep.input_size
            )[0]
        except AidError as exc:
            self.original_tile.set_image(None, str(exc))
            return
        height, width = original.shape[:2]
        self.original_tile.set_image(original, f"event {index}: {width}×{height} px")
        self.processed_tile.set_image(
            processed, f"{prep.input_size}×{prep.input_size} px, {prep.color_mode}"
        )


if __name__ == "__main__":
    import sys

    from PyQt5.QtWidgets import QApplication

    from aid.gui.controllers.data import DataController

    app = QApplication(sys.argv)
    controller = DataController()
    panel = DataPanel(controller.model)
    controller.attach(panel)
    if len(sys.argv) > 1:
        controller.import_paths(sys.argv[1:])
    panel.resize(1100, 650)
    panel.show()
    sys.exit(app.exec_())
