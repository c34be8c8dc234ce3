"""Acts on the Train tab's intents: zoo loading, previews, LR finder, runs.

Slow work (loading the zoo imports Keras, the LR finder trains, previews read
files) runs in :class:`TaskRunner` threads; each training run gets its own
:class:`TrainingController` and :class:`RunView`.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PyQt5.QtCore import QObject, pyqtSignal

from aid.data.preprocess import oversize
from aid.data.sampling import load_entry_events
from aid.data.table import DatasetTable
from aid.errors import AidError
from aid.gui.controllers.run_folder import RunFolderWatcher
from aid.gui.controllers.tasks import TaskRunner, import_training_stack
from aid.gui.controllers.training import TrainingController
from aid.gui.panels.run_view import RunView, bind_controller, bind_watcher

PREVIEW_IMAGES = 8


def preview_images(table: DatasetTable, prep, count: int, seed: int) -> np.ndarray:
    """Read a few random training images, cut at the training oversize."""
    rng = np.random.default_rng(seed)
    entries = [
        e for e in table.entries if e.role == "train" and e.events_total > 0
    ] or [e for e in table.entries if e.events_total > 0]
    picks = rng.choice(len(entries), size=count, replace=True)
    images = [
        load_entry_events(
            entries[i],
            rng.integers(entries[i].events_total, size=1),
            prep,
            oversize(prep.input_size),
        )
        for i in sorted(picks)
    ]
    return np.concatenate(images)


def unique_run_dir(folder: Path, name: str) -> Path:
    """Create and return an empty ``folder/name_YYYYmmdd-HHMMSS`` (counter if taken).

    The folder is created here, not later by the worker, so two runs started
    within the same second never share one.

    Raises
    ------
    OSError
        When ``folder`` cannot be created or written.
    """
    stem = f"{name}_{time.strftime('%Y%m%d-%H%M%S')}"
    candidate, counter = folder / stem, 1
    while True:
        try:
            candidate.mkdir(parents=True)
            return candidate
        except FileExistsError:
            counter += 1
            candidate = folder / f"{stem}_{counter}"


class TrainTabController(QObject):
    """Connects a :class:`TrainPanel` with the data and the training core."""

    error = pyqtSignal(str)
    run_started = pyqtSignal(object)  # TrainingController
    zoo_loaded = pyqtSignal(dict)

    def __init__(self, panel, data_controller, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.panel, self.data = panel, data_controller
        self.tasks = TaskRunner(self)
        self.jobs: list[TrainingController] = []
        self.watchers: list[RunFolderWatcher] = []
        panel.start_requested.connect(self.start_run)
        panel.lr_finder_requested.connect(self.find_learning_rate)
        panel.augment_preview_requested.connect(self.update_augment_preview)
        panel.reload_zoo_requested.connect(lambda: self.load_zoo(reload=True))
        panel.invalid_settings.connect(self.error)
        panel.runs.tabCloseRequested.connect(self._on_run_tab_close_requested)
        data_controller.model.table_changed.connect(self._on_table_changed)
        panel.optimizer_section.batch_size.valueChanged.connect(self._on_table_changed)

    # -- zoo -------------------------------------------------------------------------
    def load_zoo(self, reload: bool = False) -> None:
        """Load the model zoo in a thread (it imports Keras)."""

        def task(progress, cancelled):
            import_training_stack()
            from aid import zoo_registry

            errors = zoo_registry.reload() if reload else zoo_registry.zoo_errors()
            return zoo_registry.available(), [str(e) for e in errors]

        self.tasks.start(task, on_success=self._on_zoo_loaded, on_error=self.error)

    def _on_zoo_loaded(self, result) -> None:
        architectures, errors = result
        self.panel.model_section.set_architectures(architectures)
        self.zoo_loaded.emit(architectures)
        if errors:
            self.error.emit(
                "Some model-zoo files could not be loaded:\n" + "\n".join(errors)
            )

    # -- previews ----------------------------------------------------------------------
    def _on_table_changed(self, *_args) -> None:
        table = self.data.table
        weights = self.panel.optimizer_section.class_weights
        names = list(table.all_class_names()) if table.entries else []
        if names != weights.class_names():
            weights.set_class_names(names)
        per_epoch = sum(e.events_per_epoch for e in table.with_role("train"))
        batch = self.panel.optimizer_section.batch_size.value()
        self.panel.optimizer_section.set_steps_per_epoch(
            int(np.ceil(per_epoch / batch))
        )
        self.update_augment_preview()

    def update_augment_preview(self) -> None:
        """Augment a few current training images in a thread and show them."""
        section = self.panel.augment_section
        table = self.data.table
        if not table.entries:
            section.set_pairs([], "Load data on the Data tab to see examples.")
            return
        try:
            cfg, prep = section.config(), self.panel.model_section.preprocessing()
        except AidError as exc:
            section.set_pairs([], str(exc))
            return
        seed = section.seed

        def task(progress, cancelled):
            from aid.augment import preview_pairs

            images = preview_images(table, prep, PREVIEW_IMAGES, seed)
            return preview_pairs(
                images, cfg, prep.input_size, n=PREVIEW_IMAGES, seed=seed
            )

        self.tasks.start(
            task,
            on_success=lambda pairs: section.set_pairs(
                pairs,
                f"{len(pairs)} random training images ({prep.input_size} px) "
                "before and after augmentation",
            ),
            on_error=lambda message: section.set_pairs([], message),
        )

    # -- LR finder
    def find_learning_rate(self, config) -> None:
        """Run the LR range test in a thread, then plot it and set the rate."""
        table = self.data.table
        button = self.panel.optimizer_section.finder_button
        button.setEnabled(False)
        button.setText("Finding a learning rate…")

        def task(progress, cancelled):
            import_training_stack()
            from aid.train.lr_find import lr_range_test

            # BatchEnded per step -> progress (cheap ints across the thread)
            steps = {"done": 0}

            def report(event) -> None:
                steps["done"] += 1
                progress(steps["done"], 0)

            return lr_range_test(config, table, report=report)

        def done(*_args) -> None:
            button.setEnabled(True)
            button.setText("Find a learning rate")

        self.tasks.start(
            task, on_success=self._on_lr_found, on_error=self.error, on_finished=done
        )

    def _on_lr_found(self, result) -> None:
        self.panel.optimizer_section.show_lr_finder(
            result.lrs, result.smoothed, result.suggested_lr
        )

    # -- runs
    def start_run(self, config) -> TrainingController | None:
        """Start a new run of ``config`` on the current data table."""
        table = self.data.table
        try:
            if config.validation_split > 0:  # run_training splits; check it can
                from aid.data.split import split_table

                table_to_check = split_table(
                    table, config.validation_split, by=config.split_by, seed=config.seed
                )
            else:
                table_to_check = table
            table_to_check.validate_for_training()
        except AidError as exc:
            self.error.emit(f"Training cannot start: {exc}")
            return None
        runs_folder = Path(self.panel.runs_folder.text())
        try:
            run_dir = unique_run_dir(runs_folder, config.name)
        except OSError as exc:
            self.error.emit(
                f"Training cannot start: no run folder in {runs_folder} ({exc})"
            )
            return None
        controller = TrainingController(config, table, run_dir, parent=self)
        view = RunView(run_dir)
        bind_controller(view, controller)
        controller.failed.connect(
            lambda message: self.error.emit(f"Run {run_dir.name} failed: {message}")
        )
        self.panel.add_run_view(view, run_dir.name)
        self.jobs.append(controller)
        controller.start()
        view.set_status("starting (loading Keras)…")
        self.run_started.emit(controller)
        return controller

    def attach(self, run_dir: str | Path) -> RunView:
        """Follow a run folder written by another process (e.g. the CLI)."""
        run_dir = Path(run_dir)
        if (
            not (run_dir / "params.json").exists()
            and not (run_dir / "history.csv").exists()
        ):
            raise AidError(
                f"{run_dir} is not a run folder (no params.json or history.csv)"
            )
        watcher = RunFolderWatcher(run_dir, parent=self)
        view = RunView(run_dir)
        bind_watcher(view, watcher)
        self.panel.add_run_view(view, f"{run_dir.name} (attached)")
        self.watchers.append(watcher)
        watcher.start_polling()
        return view

    def _on_run_tab_close_requested(self, index: int) -> None:
        view = self.panel.runs.widget(index)
        for job in self.jobs:
            if job.run_dir == view.run_dir and job.is_running:
                self.error.emit("This run is still training; stop it first.")
                return
        for watcher in self.watchers:
            if watcher.run_dir == view.run_dir:
                watcher.stop_polling()
        self.panel.runs.removeTab(index)
        view.deleteLater()

    @property
    def running_jobs(self) -> list[TrainingController]:
        return [job for job in self.jobs if job.is_running]

    def shutdown(self, timeout_ms: int = 120_000) -> None:
        """Stop every run and task and wait for their threads (window close)."""
        for job in self.jobs:
            job.stop()
        for job in self.jobs:
            job.stop_and_wait(timeout_ms)
        for watcher in self.watchers:
            watcher.stop_polling()
        self.tasks.close()
