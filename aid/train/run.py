"""Entry points of the training engine: start a run, resume a run.

``run_training(config, table, run_dir=..., control=..., report=...)`` is the one
function the GUI (in a worker thread), the CLI and the tests call; it knows
nothing about threads and reports progress only through events.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from aid.data.sampling import training_stats, validation_sample
from aid.data.table import DatasetTable
from aid.errors import ConfigError, TrainingError
from aid.train import model_setup, run_folder
from aid.train.config import TrainConfig
from aid.train.control import TrainingControl
from aid.train.distribute import Distribution, setup_distribution
from aid.train.events import Reporter, ignore_event
from aid.train.params import PARAMS_LOG, LiveParams, write_params
from aid.train.resume import RunState, load_state
from aid.train.trainer import Trainer, TrainResult
from aid.train.workers import AgreedLiveParams, live_params, worker_folder

__all__ = ["TrainResult", "prepare_run", "resume_training", "run_training"]


def prepare_run(
    config: TrainConfig, table: DatasetTable
) -> tuple[TrainConfig, DatasetTable, Any]:
    """Validate inputs and build the compiled starting model.

    Applies the validation split, adapts the input size and colour mode to a
    loaded model, computes the training mean/std for ``zscore_train`` (once).

    Returns
    -------
    tuple
        The config in force at the start, the table used and the compiled model.
    """
    if config.validation_split > 0:
        from aid.data.split import split_table

        table = split_table(
            table,
            config.validation_split,
            by=config.split_by,  # type: ignore[arg-type]
            seed=config.seed,
        )
    table.validate_for_training()
    model, config = model_setup.initial_model(config, table.num_classes)
    prep = config.preprocessing
    if prep.normalization == "zscore_train" and (prep.mean is None or prep.std is None):
        config = replace(
            config, preprocessing=prep.with_stats(*training_stats(table, prep))
        )
    model_setup.check_fits_model(config, model, table.num_classes)
    optimizer = model_setup.build_optimizer(config, config.learning_rate)
    model_setup.compile_model(model, config, optimizer)
    return config, table, model


def run_training(
    config: TrainConfig,
    table: DatasetTable,
    *,
    run_dir: str | Path,
    control: TrainingControl | None = None,
    report: Reporter | None = None,
) -> TrainResult:
    """Train a model as ``config`` says on ``table``, writing the run folder.

    Parameters
    ----------
    config
        Frozen training settings.
    table
        Training and validation files.
    run_dir
        New (or empty) run folder.
    control
        Stop/pause/save-now requests from a UI.
    report
        Receives every :mod:`aid.train.events` event, on the calling thread.

    Raises
    ------
    TrainingError
        When ``run_dir`` already holds a run.
    AidError
        Any typed error of the data, zoo or model layers (bad table, unknown
        model), or a device that is not available (``config.device``).

    Notes
    -----
    With ``config.multi_worker`` every process named in ``TF_CONFIG`` calls
    this with the same arguments; only the chief writes ``run_dir``.
    """
    run_dir = Path(run_dir)
    distribution = setup_distribution(config.device, multi_worker=config.multi_worker)
    if distribution.is_chief and (run_dir / run_folder.CONFIG_FILE).exists():
        raise TrainingError(
            f"{run_dir} already holds a run; resume it (aid train --resume) "
            "or choose another folder"
        )
    with worker_folder(run_dir, distribution, copy=False) as folder:
        with distribution.scope():
            # Validate data and build the model before anything is written, so
            # a bad request leaves no half-made run folder behind.
            config, table, model = prepare_run(config, table)
            folder.mkdir(parents=True, exist_ok=True)
            snapshot = {
                "config": config.to_dict(),
                "table": table.to_dict(),
                "class_names": list(table.all_class_names()),
                "versions": run_folder.software_versions(),
                "started": run_folder.now_text(),
                "data": run_folder.used_data_rows(table),
                "data_overview": run_folder.data_overview_rows(table),
            }
            run_folder.atomic_write_json(folder / run_folder.CONFIG_FILE, snapshot)
            result = _start(
                folder, config, table, model, snapshot, control, report, distribution
            )
    return _as_run_dir(result, run_dir)


def _as_run_dir(result: TrainResult, run_dir: Path) -> TrainResult:
    """Name a worker's private result paths as in the chief's folder."""
    if result.run_dir == run_dir:
        return result

    def moved(path: Path) -> Path:
        return run_dir / path.relative_to(result.run_dir)

    return replace(
        result,
        run_dir=run_dir,
        checkpoints=[moved(p) for p in result.checkpoints],
        best_model=moved(result.best_model) if result.best_model else None,
    )


def _start(
    run_dir: Path,
    config: TrainConfig,
    table: DatasetTable,
    model: Any,
    snapshot: dict[str, Any],
    control: TrainingControl | None,
    report: Reporter | None,
    distribution: Distribution,
) -> TrainResult:
    for name in (run_folder.HISTORY_FILE, PARAMS_LOG):
        (run_dir / name).unlink(missing_ok=True)
    params = live_params(run_dir, distribution)
    params.start(config)
    state = RunState(
        parameter_rows=[
            run_folder.flat_parameters(config.to_dict(), snapshot["versions"], 0)
        ]
    )
    return _trainer(
        run_dir,
        config,
        table,
        model,
        snapshot,
        params,
        state,
        control,
        report,
        distribution,
    )


def _trainer(
    run_dir: Path,
    config: TrainConfig,
    table: DatasetTable,
    model: Any,
    snapshot: dict[str, Any],
    params: LiveParams,
    state: RunState,
    control: TrainingControl | None,
    report: Reporter | None,
    distribution: Distribution,
) -> TrainResult:
    validation = validation_sample(table, config.preprocessing, seed=config.seed)
    trainer = Trainer(
        run_dir=run_dir,
        config=config,
        table=table,
        model=model,
        validation=validation,
        snapshot=snapshot,
        params=params,
        state=state,
        control=control if control is not None else TrainingControl(),
        report=report if report is not None else ignore_event,
        distribution=distribution,
    )
    try:
        return trainer.run()
    finally:
        if isinstance(params, AgreedLiveParams):
            params.close()


def resume_training(
    run_dir: str | Path,
    *,
    control: TrainingControl | None = None,
    report: Reporter | None = None,
) -> TrainResult:
    """Continue a run folder from its last completed epoch.

    History and params log rows of an epoch that did not complete are dropped
    (that epoch is trained again); ``stop`` and ``pause`` in params.json are
    reset. A run killed before its first epoch completed starts over.

    Raises
    ------
    TrainingError
        When ``run_dir`` is not a run folder or its state is unreadable.
    """
    run_dir = Path(run_dir)
    snapshot_path = run_dir / run_folder.CONFIG_FILE
    try:
        snapshot = json.loads(snapshot_path.read_text(encoding="utf-8"))
        table = DatasetTable.from_dict(snapshot["table"])
        start_config = TrainConfig.from_dict(snapshot["config"])
    except (OSError, ValueError, KeyError, TypeError, ConfigError) as exc:
        raise TrainingError(f"{run_dir} is not a resumable run folder ({exc})") from exc
    distribution = setup_distribution(
        start_config.device, multi_worker=start_config.multi_worker
    )
    with worker_folder(run_dir, distribution, copy=True) as folder:
        with distribution.scope():
            result = _resume_in(
                folder, snapshot, table, start_config, control, report, distribution
            )
    return _as_run_dir(result, run_dir)


def _resume_in(
    run_dir: Path,
    snapshot: dict[str, Any],
    table: DatasetTable,
    start_config: TrainConfig,
    control: TrainingControl | None,
    report: Reporter | None,
    distribution: Distribution,
) -> TrainResult:
    _remove_partial_files(run_dir)
    saved = load_state(run_dir)
    if saved is None:
        _, _, model = prepare_run(start_config, table)
        return _start(
            run_dir,
            start_config,
            table,
            model,
            snapshot,
            control,
            report,
            distribution,
        )
    from aid.modelfile.io import load_model

    model = load_model(saved.model_path, compile=True).model
    optimizer = getattr(model, "optimizer", None) or model_setup.build_optimizer(
        saved.config, saved.config.learning_rate
    )
    model_setup.compile_model(model, saved.config, optimizer)
    next_epoch = saved.state.next_epoch

    def completed(row: dict[str, str]) -> bool:
        return row.get("epoch", "").isdigit() and int(row["epoch"]) < next_epoch

    run_folder.keep_csv_rows(run_dir / run_folder.HISTORY_FILE, completed)
    run_folder.keep_csv_rows(run_dir / PARAMS_LOG, completed)
    seen = {**saved.seen, "stop": False, "pause": False}
    write_params(run_dir, stop=False, pause=False)
    params = live_params(run_dir, distribution, seen)
    run_folder.write_run_meta(run_dir, snapshot, saved.state.parameter_rows)
    return _trainer(
        run_dir,
        saved.config,
        table,
        model,
        snapshot,
        params,
        saved.state,
        control,
        report,
        distribution,
    )


def _remove_partial_files(run_dir: Path) -> None:
    """Delete temporary files an interrupted atomic write left behind (``.name...``)."""
    for folder in (run_dir, run_dir / "state"):
        for leftover in folder.glob(".*"):
            if leftover.is_file():
                leftover.unlink()
