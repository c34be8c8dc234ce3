"""The AID epoch loop: live changes, fresh sample, augmentation, fit, records.

One :class:`Trainer` runs one run folder. Each AID epoch is: read the live
parameters and apply them (recompiling when needed), draw a fresh sample and
its affine augmentation (reused for ``affine_refresh_epochs``), intensity
augmentation, one ``fit`` call on an :class:`EpochDataset` with the fixed
validation set, then checkpoints, history row, resumable state.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keras
import numpy as np

from aid.data.preprocess import normalize
from aid.data.sampling import Sample, draw_training_sample
from aid.data.table import DatasetTable
from aid.errors import ConfigError
from aid.train import model_setup, run_folder
from aid.train.callbacks import BatchControl, ScheduleCallback
from aid.train.checkpoints import (
    PER_CLASS_MONITORS,
    expand_monitors,
    per_class_precision_recall,
)
from aid.train.config import RECOMPILE_KEYS, TrainConfig
from aid.train.control import TrainingControl
from aid.train.dataset import (
    EpochDataset,
    balanced_class_weights,
    event_counts,
    one_hot,
    steps_per_epoch,
)
from aid.train.distribute import Distribution
from aid.train.epoch_augment import RunAugmentation, loader_processes
from aid.train.events import (
    EpochEnded,
    ParamsApplied,
    Reporter,
    TrainingFinished,
    TrainingStarted,
)
from aid.train.params import LiveParams, ParamsUpdate
from aid.train.resume import RunState, save_state

#: Seconds between rewrites of run_meta.xlsx during a run (also written at the end).
META_EVERY_S = 30.0
#: Seconds between re-reads of params.json while a run is paused through it.
PAUSE_POLL_S = 0.2


@dataclass
class TrainResult:
    """What a finished (or stopped) run produced."""

    status: str
    run_dir: Path
    history: list[dict[str, Any]] = field(default_factory=list)
    checkpoints: list[Path] = field(default_factory=list)
    best_model: Path | None = None
    epochs_run: int = 0
    message: str = ""
    weights_sha256: str = ""
    devices: str = ""


class Trainer:
    """Run the epoch loop of one run folder (new or resumed)."""

    def __init__(
        self,
        *,
        run_dir: Path,
        config: TrainConfig,
        table: DatasetTable,
        model: keras.Model,
        validation: Sample,
        snapshot: dict[str, Any],
        params: LiveParams,
        state: RunState,
        control: TrainingControl,
        report: Reporter,
        distribution: Distribution | None = None,
    ) -> None:
        self.run_dir, self.config, self.table, self.model = (
            run_dir,
            config,
            table,
            model,
        )
        self.snapshot, self.params, self.state = snapshot, params, state
        self.control, self.report = control, report
        self.distribution = distribution or Distribution("default", ())
        self.class_names = tuple(snapshot["class_names"])
        self.num_classes = len(self.class_names)
        prep = config.preprocessing
        kept = self.distribution.round_down(len(validation.labels))
        self._val_x = normalize(validation.images[:kept], prep)
        self._val_labels = validation.labels[:kept]
        self._val_y = one_hot(self._val_labels, self.num_classes)
        self._monitors = expand_monitors(config.checkpoint_monitors, self.num_classes)
        self._augmentation = RunAugmentation(processes=loader_processes())
        self._epoch = state.next_epoch
        self._meta_written = 0.0
        self._history = [
            _parse_row(r)
            for r in run_folder.read_csv_rows(run_dir / run_folder.HISTORY_FILE)
        ]

    # -- main loop -----------------------------------------------------------
    def run(self) -> TrainResult:
        """Train until the (live) number of epochs is reached or a stop request."""
        status, message, start_epoch = "completed", "", self.state.next_epoch
        self.report(
            TrainingStarted(
                self.config.epochs,
                steps_per_epoch(
                    self.table, self.config.events_per_epoch, self.config.batch_size
                ),
                self.config.to_dict(),
                start_epoch,
            )
        )
        try:
            while True:
                if not self._epoch_boundary(self._epoch):
                    status = "stopped"
                    break
                if self._epoch >= self.config.epochs:
                    break
                if not self._train_epoch(self._epoch):
                    status = "stopped"
                    break
        except Exception as exc:
            status, message = "failed", f"{type(exc).__name__}: {exc}"
            self._finish(status, start_epoch, message)
            raise
        self._finish(status, start_epoch, message)
        from aid.train.workers import weights_sha256

        return TrainResult(
            status,
            self.run_dir,
            list(self._history),
            [Path(p) for p in self.state.records.files],
            self.state.records.best_file(self._monitors),
            self._epoch - start_epoch,
            message,
            weights_sha256(self.model),
            self.distribution.describe(),
        )

    def _finish(self, status: str, start_epoch: int, message: str) -> None:
        try:
            self._augmentation.close()
            self._write_meta(force=True)
        finally:
            self.report(TrainingFinished(status, self._epoch - start_epoch, message))  # type: ignore[arg-type]

    # -- epoch boundary: live parameters ---------------------------------------
    def _epoch_boundary(self, epoch: int) -> bool:
        """Apply live changes; block while paused through the file; False = stop.

        In a multi-worker run every step here is taken by all workers together:
        they read the chief's file and stop when any of them was asked to.
        """
        requests = dict(
            self._apply_update(epoch, self.params.poll(self.config)).requests
        )
        while requests.get("pause") and not self._stop_wanted(requests):
            time.sleep(PAUSE_POLL_S)
            requests.update(
                self._apply_update(epoch, self.params.poll(self.config)).requests
            )
        if requests.get("save_now"):
            self.control.save_now()
            self.params.acknowledge("save_now")
        return not self._stop_wanted(requests)

    def _stop_wanted(self, requests: dict[str, bool]) -> bool:
        local = (
            self.control.stop_requested
            or bool(requests.get("stop"))
            or self.params.seen.get("stop") is True
        )
        return self.distribution.any_worker(local)

    def _apply_update(self, epoch: int, update: ParamsUpdate) -> ParamsUpdate:
        old = self.config
        for key in ("class_weights", "dropout", "freeze", "freeze_n"):
            if key in update.changes:
                try:
                    model_setup.check_fits_model(
                        update.config, self.model, self.num_classes
                    )
                except ConfigError as exc:
                    update.revert(key, old, str(exc))
        if any(key in RECOMPILE_KEYS for key in update.changes):
            try:
                self._recompile(old, update.config)
            except ConfigError as exc:
                for key in [k for k in update.changes if k in RECOMPILE_KEYS]:
                    update.revert(key, old, str(exc))
        self.config = update.config
        if update.log_rows:
            self.params.log(epoch, update)
            self.report(
                ParamsApplied(epoch, dict(update.changes), dict(update.rejected))
            )
        if update.changes:
            self.state.parameter_rows.append(
                run_folder.flat_parameters(
                    self.config.to_dict(), self.snapshot["versions"], epoch
                )
            )
        return update

    def _recompile(self, old: TrainConfig, new: TrainConfig) -> None:
        """Rebuild (dropout) and recompile (optimizer, freezing) keeping the weights."""
        model = self.model
        if new.dropout is not None and new.dropout != old.dropout:
            model = model_setup.with_dropout(model, new.dropout)
        model_setup.apply_freeze(model, new.freeze, new.freeze_n)
        optimizer = model_setup.build_optimizer(new, new.learning_rate)
        old_optimizer = getattr(self.model, "optimizer", None)
        if old_optimizer is not None and (new.freeze, new.freeze_n) == (
            old.freeze,
            old.freeze_n,
        ):
            model_setup.copy_optimizer_state(old_optimizer, optimizer, model)
        model_setup.compile_model(model, new, optimizer)
        self.model = model

    # -- one epoch -------------------------------------------------------------
    def _train_epoch(self, epoch: int) -> bool:
        """Train AID epoch ``epoch``; False when a stop cut it short."""
        started = time.perf_counter()
        cfg, dist = self.config, self.distribution
        batch_size = max(dist.batch_multiple, dist.round_down(cfg.batch_size))
        images, labels = self._augmentation.epoch_sample(
            epoch,
            cfg.augmentation,
            cfg.preprocessing.input_size,
            run_seed=cfg.seed,
            batch_size=batch_size,
            draw=lambda: draw_training_sample(
                self.table,
                cfg.preprocessing,
                np.random.default_rng([cfg.seed, epoch, 1]),
                events_per_epoch=event_counts(self.table, cfg.events_per_epoch),
            ),
        )
        labels = labels[: dist.round_down(len(labels))]  # JAX shards need multiples
        weights = self._class_weights(labels)
        rng = np.random.default_rng([cfg.seed, epoch, 2])
        data = EpochDataset(
            images,
            labels,
            self.num_classes,
            cfg.preprocessing,
            batch_size,
            rng,
            weights,
            workers=self._augmentation.loader_threads,
        )
        if cfg.lr_schedule == "constant":
            self.model.optimizer.learning_rate.assign(cfg.learning_rate)
        callbacks = [
            ScheduleCallback(
                cfg.lr_schedule,
                dict(cfg.lr_schedule_params),
                cfg.learning_rate,
                len(data),
                self.state.counter,
            ),
            # Several workers stop and pause together at epoch boundaries only.
            BatchControl(
                TrainingControl() if dist.multi_worker else self.control,
                self.report,
                lambda: epoch,
            ),
        ]
        fit = self.model.fit(
            data,
            epochs=cfg.keras_epochs_per_epoch,
            shuffle=False,  # EpochDataset orders its rows (chunk by chunk at first)
            verbose=0,
            validation_data=(self._val_x, self._val_y),
            validation_freq=cfg.keras_epochs_per_epoch,
            validation_batch_size=dist.round_down(max(batch_size, 64)),
            callbacks=callbacks,
        )
        logs = {key: float(values[-1]) for key, values in fit.history.items() if values}
        if (
            "val_loss" not in logs
        ):  # stopped before validation: the epoch does not count
            return False
        if set(cfg.checkpoint_monitors) & set(PER_CLASS_MONITORS):
            logs.update(self._per_class_logs(dist.round_down(max(batch_size, 64))))
        self._end_epoch(epoch, logs, time.perf_counter() - started)
        return not self.control.stop_requested

    def _per_class_logs(self, batch_size: int) -> dict[str, float]:
        """Per-class validation precision and recall (one more validation pass)."""
        scores = self.model.predict(self._val_x, batch_size=batch_size, verbose=0)
        predicted = np.argmax(scores, axis=1)
        return per_class_precision_recall(self._val_labels, predicted, self.num_classes)

    def _class_weights(self, labels: np.ndarray) -> np.ndarray | None:
        weights = self.config.class_weights
        if weights == "none":
            return None
        if weights == "balanced":
            return balanced_class_weights(labels, self.num_classes)
        return np.asarray(weights, dtype=np.float64)

    # -- after an epoch --------------------------------------------------------
    def _end_epoch(self, epoch: int, logs: dict[str, float], seconds: float) -> None:
        lr = model_setup.current_learning_rate(self.model)
        saved = self.state.records.update(
            epoch,
            logs,
            self._monitors,
            self.control.take_save_request(),
            lambda: self._save_checkpoint(epoch),
        )
        state = self.state
        if not state.history_columns:
            state.history_columns = run_folder.history_columns(logs)
        row = {
            "epoch": epoch,
            **logs,
            "learning_rate": lr,
            "seconds": round(seconds, 3),
            "checkpoint": int(bool(saved)),
        }
        run_folder.append_csv_row(
            self.run_dir / run_folder.HISTORY_FILE, state.history_columns, row
        )
        self._history.append(row)
        state.elapsed += seconds
        state.next_epoch = self._epoch = epoch + 1
        save_state(
            self.run_dir,
            self.model,
            self._model_meta(epoch),
            self.config,
            self.params.seen,
            state,
        )
        self.report(EpochEnded(epoch, dict(logs), lr, seconds))
        for event in saved:
            self.report(event)
        self._write_meta(force=False)

    def _save_checkpoint(self, epoch: int) -> Path:
        from aid.modelfile.io import save_model

        path = self.run_dir / f"{self.config.name}_{epoch}.keras"
        return save_model(self.model, self._model_meta(epoch), path)

    def _model_meta(self, epoch: int) -> Any:
        from aid.modelfile.meta import ModelMeta

        return ModelMeta(
            self.class_names,
            self.config.preprocessing,
            self.config.zoo_name,
            epoch,
            source={"run_dir": str(self.run_dir)},
            software=dict(self.snapshot["versions"]),
        )

    def _write_meta(self, *, force: bool) -> None:
        now = time.monotonic()
        if force or now - self._meta_written >= META_EVERY_S:
            run_folder.write_run_meta(
                self.run_dir, self.snapshot, self.state.parameter_rows
            )
            self._meta_written = now


def _parse_row(row: dict[str, str]) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    for key, value in row.items():
        try:
            parsed[key] = int(value) if key in ("epoch", "checkpoint") else float(value)
        except ValueError:
            parsed[key] = None
    return parsed
