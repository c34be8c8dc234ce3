"""The main window: composes the tab panels, menu, status bar and drag and drop.

Tabs come from :data:`TABS`, a list of ``(title, factory)``; a factory gets
the window (for ``window.data`` and ``window.training``) and returns the tab
widget. Adding a tab is one line in that list.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PyQt5.QtCore import QByteArray, Qt, QUrl
from PyQt5.QtWidgets import (
    QAction,
    QActionGroup,
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from aid import __version__
from aid.errors import AidError
from aid.gui.controllers.assess import make_assess_tab
from aid.gui.controllers.classify_export import make_classify_export_tab
from aid.gui.controllers.data import DataController
from aid.gui.controllers.history import make_history_tab
from aid.gui.controllers.tasks import TaskRunner
from aid.gui.controllers.train_tab import TrainTabController
from aid.gui.panels.data_panel import DataPanel
from aid.gui.panels.train_panel import TrainPanel
from aid.gui.settings import AppSettings, save_settings
from aid.gui.theme import apply_theme
from aid.gui.widgets.icon import app_icon

SESSION_FILTER = "AID session (*.aidsession.json *.json)"
TabFactory = Callable[["MainWindow"], QWidget]


def make_data_tab(window: MainWindow) -> QWidget:
    panel = DataPanel(window.data.model)
    window.data.attach(panel)
    window.train_panel.preprocessing_changed.connect(panel.set_preprocessing)
    window.data_panel = panel
    return panel


def make_train_tab(window: MainWindow) -> QWidget:
    return window.train_panel


def placeholder_tab(text: str) -> TabFactory:
    """Make a tab that says what will be there (until the real panel)."""

    def factory(window: MainWindow) -> QWidget:
        label = QLabel(text)
        label.setAlignment(Qt.AlignCenter)
        label.setStyleSheet("color: gray")
        return label

    return factory


#: The tabs of the main window, in order.
TABS: list[tuple[str, TabFactory]] = [
    ("Data", make_data_tab),
    ("Train", make_train_tab),
    ("History", make_history_tab),
    ("Assess", make_assess_tab),
    ("Classify / Export", make_classify_export_tab),
]


def local_paths(urls: list[QUrl]) -> list[str]:
    """Local file paths of dropped URLs (remote URLs are ignored)."""
    return [
        url.toLocalFile() for url in urls if url.isLocalFile() and url.toLocalFile()
    ]


class MainWindow(QMainWindow):
    """AID's main window."""

    def __init__(self, settings: AppSettings | None = None, parent=None) -> None:
        super().__init__(parent)
        self.settings = settings or AppSettings()
        self.last_error = ""
        self.setWindowTitle(f"AID {__version__}: deep learning for cell images")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.tasks = TaskRunner(self)
        self.data = DataController(self)
        self.train_panel = TrainPanel()
        self.training = TrainTabController(self.train_panel, self.data, self)
        self.data_panel: DataPanel | None = None
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for title, factory in TABS:
            self.tabs.addTab(factory(self), title)
        self.setCentralWidget(self.tabs)
        self.device_label = QLabel("Device: checking…")
        self.device_label.setToolTip(
            "Where training runs: a graphics card (GPU) is much "
            "faster than the processor (CPU)."
        )
        self.statusBar().addPermanentWidget(self.device_label)
        self._build_menu()
        for source in (self.data, self.training):
            source.error.connect(self.show_error)
        self.data.import_finished.connect(self._on_data_imported)
        self._restore_geometry()

    def tabs_titles(self) -> list[tuple[str, QWidget]]:
        """``(title, widget)`` of every tab, in order."""
        return [
            (self.tabs.tabText(i), self.tabs.widget(i))
            for i in range(self.tabs.count())
        ]

    # -- menu ---------------------------------------------------------------------
    def _action(
        self, menu, text: str, slot, shortcut: str = "", tip: str = ""
    ) -> QAction:
        action = QAction(text, self)
        action.triggered.connect(slot)
        if shortcut:
            action.setShortcut(shortcut)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        menu.addAction(action)
        return action

    def _build_menu(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(
            file_menu,
            "&Open session…",
            self._on_open_session,
            "Ctrl+O",
            "Load a saved table of files and training settings.",
        )
        self._action(
            file_menu,
            "&Save session…",
            self._on_save_session,
            "Ctrl+S",
            "Save the table of files and the training settings to a file.",
        )
        file_menu.addSeparator()
        self._action(
            file_menu,
            "Add &data…",
            lambda: self.data_panel._on_add_files_clicked(),
            "Ctrl+D",
            "Add .rtdc files or zips of image folders.",
        )
        self._action(
            file_menu,
            "Load the &demo data",
            self.data.load_demo,
            "",
            "Load small hand-written digit images to try AID.",
        )
        self._action(
            file_menu,
            "&Attach to run folder…",
            self._on_attach,
            "",
            "Follow a run started from the command line (aid train).",
        )
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, "Ctrl+Q", "Close AID.")
        view_menu = self.menuBar().addMenu("&View")
        group = QActionGroup(self)
        for theme in ("light", "dark"):
            action = self._action(
                view_menu,
                f"{theme.capitalize()} theme",
                lambda _=False, t=theme: self.set_theme(t),
            )
            action.setCheckable(True)
            action.setChecked(self.settings.theme == theme)
            group.addAction(action)
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&About AID", self._on_about)

    # -- errors -----------------------------------------------------------------------
    def show_error(self, message: str) -> None:
        """Show a readable message without blocking (the app keeps running)."""
        self.last_error = message
        self.statusBar().showMessage(message.splitlines()[0], 10_000)
        box = QMessageBox(QMessageBox.Warning, "AID", message, QMessageBox.Ok, self)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.open()

    # -- drag and drop
    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if local_paths(event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        self.handle_drop(event.mimeData())
        event.acceptProposedAction()

    def handle_drop(self, mime) -> None:
        """Import the local files, folders and zips of dropped ``QMimeData``."""
        paths = local_paths(mime.urls())
        if paths:
            self.tabs.setCurrentIndex(0)
            self.settings = self.settings.with_folder("data", Path(paths[0]).parent)
            self.data.import_paths(paths)

    def _on_data_imported(self, table) -> None:
        self.statusBar().showMessage(
            f"{len(table.entries)} files, {table.num_classes} classes", 5000
        )

    # -- actions
    def _on_open_session(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open session", self.settings.last_folder("session"), SESSION_FILTER
        )
        if path:
            self.open_session(path)

    def open_session(self, path: str | Path) -> None:
        try:
            session = self.data.load_session(path)
            if "train" in session.settings:
                from aid.train.config import TrainConfig

                self.train_panel.set_config(
                    TrainConfig.from_dict(session.settings["train"])
                )
        except AidError as exc:
            self.show_error(str(exc))
            return
        self.settings = self.settings.with_folder("session", Path(path).parent)

    def _on_save_session(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save session", self.settings.last_folder("session"), SESSION_FILTER
        )
        if path:
            self.save_session(path)

    def save_session(self, path: str | Path) -> None:
        try:
            settings = {"train": self.train_panel.build_config().to_dict()}
            self.data.save_session(path, settings)
        except (AidError, OSError) as exc:
            self.show_error(f"The session could not be saved: {exc}")
            return
        self.settings = self.settings.with_folder("session", Path(path).parent)

    def _on_attach(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Attach to run folder", self.settings.last_folder("runs")
        )
        if folder:
            self.attach_run(folder)

    def attach_run(self, folder: str | Path) -> None:
        try:
            self.training.attach(folder)
        except AidError as exc:
            self.show_error(str(exc))
            return
        self.tabs.setCurrentWidget(self.train_panel)

    def set_theme(self, theme: str) -> None:
        from dataclasses import replace

        self.settings = replace(self.settings, theme=theme)
        apply_theme(QApplication.instance(), theme)

    def _on_about(self) -> None:
        QMessageBox.about(
            self,
            "About AID",
            f"<b>AID {__version__}</b><br>Train, assess "
            "and deploy image classifiers without programming.<br>A rebuild "
            "of AIDeveloper (Kräter et al., Adv. Sci. 2021).",
        )

    # -- background start-up
    def start_background_work(self) -> None:
        """Run slow start-up steps after the window shows (Keras loads in a thread)."""
        self.training.load_zoo()
        self.tasks.start(
            _detect_devices,
            on_success=self._on_devices_detected,
            on_error=lambda message: self.device_label.setText("Device: unknown"),
        )

    def _on_devices_detected(self, found: tuple[str, int]) -> None:
        description, gpu_count = found
        self.device_label.setText(f"Device: {description}")
        self.train_panel.device.set_gpu_count(gpu_count)

    # -- geometry and closing
    def _restore_geometry(self) -> None:
        if self.settings.window_geometry:
            self.restoreGeometry(
                QByteArray.fromHex(self.settings.window_geometry.encode())
            )
        else:
            self.resize(1280, 820)
        if self.settings.window_state:
            self.restoreState(QByteArray.fromHex(self.settings.window_state.encode()))

    def closeEvent(self, event) -> None:  # noqa: N802
        running = self.training.running_jobs
        if running:
            self.statusBar().showMessage(
                f"Stopping {len(running)} run(s); files are kept…"
            )
            QApplication.processEvents()
        self.training.shutdown()
        self.data.tasks.close()
        self.tasks.close()
        from dataclasses import replace

        self.settings = replace(
            self.settings,
            window_geometry=bytes(self.saveGeometry().toHex()).decode(),
            window_state=bytes(self.saveState().toHex()).decode(),
        )
        try:
            save_settings(self.settings)
        except OSError:
            pass  # settings are a convenience; never block closing
        event.accept()


def _detect_devices(progress, cancelled) -> tuple[str, int]:
    """Name the hardware without loading a framework (may wait for nvidia-smi)."""
    from aid.train.devices import describe_devices, gpu_names

    return describe_devices(), len(gpu_names())
