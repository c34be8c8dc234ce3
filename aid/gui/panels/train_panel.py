"""The Train tab: settings pages on the left, one live view per run on the right.

The panel emits intents (``start_requested``, ``lr_finder_requested``,
``augment_preview_requested``, ``attach_requested``); the
:class:`~aid.gui.controllers.train_tab.TrainTabController` acts on them.
"""

from __future__ import annotations

from pathlib import Path

from PyQt5.QtCore import Qt, QTimer, pyqtSignal
from PyQt5.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from aid.errors import AidError
from aid.gui.help_texts import TRAIN_TIPS
from aid.gui.panels.train_options import DeviceCombo
from aid.gui.panels.train_sections import AugmentSection, ModelSection, OptimizerSection
from aid.train.config import TrainConfig

DEFAULT_RUNS_FOLDER = Path.home() / "aid-runs"
#: Width of the settings column; the run views get the rest of the window.
LEFT_MIN_WIDTH = 500


def _scrolled(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(widget)
    return area


class TrainPanel(QSplitter):
    """Training settings and the run views."""

    start_requested = pyqtSignal(object)  # TrainConfig
    lr_finder_requested = pyqtSignal(object)  # TrainConfig
    augment_preview_requested = pyqtSignal()
    preprocessing_changed = pyqtSignal(object)  # Preprocessing
    reload_zoo_requested = pyqtSignal()
    invalid_settings = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Horizontal, parent)
        self.model_section = ModelSection()
        self.optimizer_section = OptimizerSection()
        self.augment_section = AugmentSection()
        self.pages = QTabWidget()
        self.pages.addTab(_scrolled(self.model_section), "Model")
        self.pages.addTab(_scrolled(self.optimizer_section), "Optimisation")
        self.pages.addTab(_scrolled(self.augment_section), "Augmentation")
        self.run_name = QLineEdit("model")
        self.run_name.setToolTip(TRAIN_TIPS["name"])
        self.runs_folder = QLineEdit(str(DEFAULT_RUNS_FOLDER))
        self.runs_folder.setToolTip(
            "Folder in which each run gets its own sub-folder with "
            "history, live parameters and saved models."
        )
        self.device = DeviceCombo()
        self.browse_runs = QPushButton("…")
        self.browse_runs.setToolTip("Choose the folder for run folders.")
        self.browse_runs.setMaximumWidth(32)
        self.browse_runs.clicked.connect(self._on_browse_runs_clicked)
        self.start_button = QPushButton("Start training")
        self.start_button.setToolTip(
            "Start a new run with these settings and the data of "
            "the Data tab. Several runs can train at once."
        )
        self.start_button.setStyleSheet("font-weight: bold; padding: 6px 14px")
        self.start_button.clicked.connect(self._on_start_clicked)
        self.runs = QTabWidget()
        self.runs.setTabsClosable(True)
        self.runs.setDocumentMode(True)
        self.runs.setToolTip("One tab per run: its curves, live parameters and log.")
        self.empty_runs = QLabel(
            "No run yet.\n\nChoose settings on the left and press "
            "'Start training',\nor use File ▸ Attach to run folder… to "
            "follow a run started from the command line."
        )
        self.empty_runs.setAlignment(Qt.AlignCenter)
        self.empty_runs.setWordWrap(True)
        self.empty_runs.setStyleSheet("color: gray")
        self._build_layout()
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(250)  # coalesce fast edits into one preview
        self._preview_timer.timeout.connect(self.augment_preview_requested)
        self.augment_section.preview_requested.connect(self._preview_timer.start)
        self.model_section.changed.connect(self._on_preprocessing_changed)
        self.optimizer_section.lr_finder_requested.connect(self._on_lr_finder_clicked)
        self.model_section.reload_zoo_requested.connect(self.reload_zoo_requested)

    def _build_layout(self) -> None:
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 4, 0)
        left.setMinimumWidth(LEFT_MIN_WIDTH)
        left_layout.addWidget(self.pages, 1)
        name_row = QHBoxLayout()
        name_row.addWidget(QLabel("Run name"))
        name_row.addWidget(self.run_name, 1)
        folder_row = QHBoxLayout()
        folder_row.addWidget(QLabel("Save in"))
        folder_row.addWidget(self.runs_folder, 1)
        folder_row.addWidget(self.browse_runs)
        start_row = QHBoxLayout()
        device_label = QLabel("Device")
        device_label.setToolTip(self.device.toolTip())
        start_row.addWidget(device_label)
        start_row.addWidget(self.device)
        start_row.addWidget(self.start_button, 1)
        left_layout.addLayout(name_row)
        left_layout.addLayout(folder_row)
        left_layout.addLayout(start_row)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(4, 0, 0, 0)
        right_layout.addWidget(self.empty_runs, 1)
        right_layout.addWidget(self.runs, 1)
        self.runs.hide()
        self.addWidget(left)
        self.addWidget(right)
        self.setStretchFactor(0, 2)
        self.setStretchFactor(1, 3)
        self.setSizes([LEFT_MIN_WIDTH + 20, 1000])
        self.setCollapsible(1, False)

    def page(self, title: str) -> QWidget:
        """Return the settings page called ``title`` (e.g. ``Augmentation``)."""
        for index in range(self.pages.count()):
            if self.pages.tabText(index) == title:
                return self.pages.widget(index)
        raise KeyError(title)

    def _on_browse_runs_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Folder for runs", self.runs_folder.text()
        )
        if folder:
            self.runs_folder.setText(folder)

    def _on_preprocessing_changed(self) -> None:
        self.preprocessing_changed.emit(self.model_section.preprocessing())
        self._preview_timer.start()

    # -- config ---------------------------------------------------------------------
    def build_config(self) -> TrainConfig:
        """Build the frozen config of the current settings (raises ``ConfigError``)."""
        values = {
            **self.model_section.values(),
            **self.optimizer_section.values(),
            "augmentation": self.augment_section.config(),
            "name": self.run_name.text().strip(),
            "device": self.device.currentText(),
        }
        return TrainConfig(**values)

    def set_config(self, config: TrainConfig) -> None:
        """Show ``config`` in the forms (e.g. from a session file)."""
        model, opt = self.model_section, self.optimizer_section
        prep = config.preprocessing
        model.zoo_combo.setCurrentText(config.zoo_name)
        model.hparams.set_values(config.zoo_hparams)
        model.input_size.setValue(prep.input_size)
        model.color_mode.setCurrentText(prep.color_mode)
        model.normalization.setCurrentText(prep.normalization)
        model.padding.setCurrentText(prep.padding)
        model.start_mode.setCurrentText(config.start_mode)
        model.model_path.setText(config.model_path)
        opt.optimizer.setCurrentText(config.optimizer)
        opt.learning_rate.set_value(config.learning_rate)
        opt.schedule.setCurrentText(config.lr_schedule)
        opt.schedule_params.set_values(config.lr_schedule_params)
        opt.batch_size.setValue(config.batch_size)
        opt.epochs.setValue(config.epochs)
        opt.class_weights.set_value(config.class_weights)
        opt.validation.set_values(config.validation_split, config.split_by)
        self.device.set_device(config.device)
        opt.freeze.setCurrentText(config.freeze)
        opt.freeze_n.setValue(config.freeze_n)
        self.augment_section.form.set_values(config.augmentation.to_dict())
        self.run_name.setText(config.name)

    def _checked_config(self) -> TrainConfig | None:
        try:
            return self.build_config()
        except AidError as exc:
            self.invalid_settings.emit(f"The training settings are not valid: {exc}")
            return None

    def _on_start_clicked(self) -> None:
        config = self._checked_config()
        if config is not None:
            self.start_requested.emit(config)

    def _on_lr_finder_clicked(self) -> None:
        config = self._checked_config()
        if config is not None:
            self.lr_finder_requested.emit(config)

    # -- runs
    def add_run_view(self, view: QWidget, title: str) -> None:
        self.empty_runs.hide()
        self.runs.show()
        self.runs.setCurrentIndex(self.runs.addTab(view, title))

    def run_views(self) -> list[QWidget]:
        return [self.runs.widget(i) for i in range(self.runs.count())]
