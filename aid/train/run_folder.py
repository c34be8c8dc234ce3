"""Files of a run folder: atomic writes, CSV logs, provenance and the meta workbook.

Layout of ``RUN/``::

    config.json        start configuration, software versions, data used (+ hashes)
    params.json        live parameters (see :mod:`aid.train.params`)
    params_log.csv     one row per changed key
    history.csv        one row per epoch, appended and flushed each epoch
    run_meta.xlsx      AIDeveloper-style sheets UsedData, DataOverview, Parameters,
                       History
    NAME_<epoch>.keras checkpoints (+ ``.json`` metadata sidecar)
    state/             the resumable training state of the last completed epoch
"""

from __future__ import annotations

import csv
import json
import os
import platform
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from aid import __version__
from aid.data.rtdc import file_hash
from aid.data.table import DatasetTable

CONFIG_FILE = "config.json"
HISTORY_FILE = "history.csv"
META_FILE = "run_meta.xlsx"
#: Columns every history row starts with; Keras log keys follow, then the tail.
HISTORY_HEAD = ("epoch", "loss", "accuracy", "val_loss", "val_accuracy")
HISTORY_TAIL = ("learning_rate", "seconds", "checkpoint")


def now_text() -> str:
    """Local time as ``YYYY-MM-DD HH:MM:SS``."""
    return time.strftime("%Y-%m-%d %H:%M:%S")


def atomic_write_text(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file and ``os.replace``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return path


def atomic_write_json(path: Path, data: Any) -> Path:
    """Write ``data`` as indented JSON atomically."""
    return atomic_write_text(path, json.dumps(data, indent=2))


def append_csv_row(path: Path, columns: Sequence[str], row: Mapping[str, Any]) -> None:
    """Append ``row`` to a CSV file (header written when new); flushed to disk.

    Values missing from ``row`` are left empty; keys not in ``columns`` are dropped.
    """
    new = not path.exists() or path.stat().st_size == 0
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        if new:
            writer.writeheader()
        writer.writerow({c: _csv_value(row.get(c)) for c in columns})
        handle.flush()
        os.fsync(handle.fileno())


def _csv_value(value: Any) -> Any:
    if isinstance(value, float):
        return repr(value)
    return "" if value is None else value


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """All rows of a CSV file as dicts (``[]`` when it does not exist).

    A last line cut short by a crash (fewer fields than the header) is dropped.
    """
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return [row for row in reader if None not in row.values()]


def csv_columns(path: Path) -> list[str]:
    """Header of a CSV file (``[]`` when absent or empty)."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle), [])


def keep_csv_rows(path: Path, keep: Callable[[dict[str, str]], bool]) -> None:
    """Atomically rewrite a CSV file with only the rows for which ``keep`` is true."""
    columns = csv_columns(path)
    if not columns:
        return
    rows = [row for row in read_csv_rows(path) if keep(row)]
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def history_columns(logs: Mapping[str, Any]) -> list[str]:
    """Return the fixed history.csv columns, given the first epoch's ``logs``."""
    extra = sorted(k for k in logs if k not in HISTORY_HEAD and k not in HISTORY_TAIL)
    return [*HISTORY_HEAD, *extra, *HISTORY_TAIL]


def software_versions() -> dict[str, str]:
    """Versions written into the run's config snapshot and parameters sheet."""
    import keras
    import numpy

    return {
        "aid": __version__,
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "numpy": numpy.__version__,
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def used_data_rows(table: DatasetTable) -> list[dict[str, Any]]:
    """One row per file and role, like AIDeveloper's UsedData sheet (with file hash)."""
    return [
        {
            "rtdc_path": entry.path,
            "class": entry.class_index,
            "TrainOrValid": entry.role,
            "nr_events": entry.events_total,
            "nr_events_epoch": entry.events_per_epoch,
            "shuffle": entry.shuffle,
            "zoom_factor": entry.zoom,
            "group": entry.group,
            "hash": file_hash(entry.path) if Path(entry.path).exists() else "",
        }
        for entry in table.entries
    ]


def data_overview_rows(table: DatasetTable) -> list[dict[str, Any]]:
    """Per class and role totals, like AIDeveloper's DataOverview sheet."""
    return [
        {
            "Class": row["class_index"],
            "Name": row["class_name"],
            "Role": row["role"],
            "Files": row["files"],
            "Events tot.": row["events_total"],
            "Events/Epoch": row["events_per_epoch"],
        }
        for row in table.overview()
    ]


def write_run_meta(
    run_dir: Path,
    snapshot: Mapping[str, Any],
    parameter_rows: Sequence[Mapping[str, Any]],
) -> Path:
    """Write ``run_meta.xlsx`` from the config snapshot, parameter rows and history."""
    from aid.modelfile.meta_xlsx import write_aid_meta

    history = [
        {"row": int(row["epoch"]), **{k: _number_or_text(v) for k, v in row.items()}}
        for row in read_csv_rows(run_dir / HISTORY_FILE)
    ]
    return write_aid_meta(
        run_dir / META_FILE,
        snapshot["data"],
        snapshot["data_overview"],
        [dict(row) for row in parameter_rows],
        history,
    )


def flat_parameters(
    config: Mapping[str, Any], versions: Mapping[str, str], epoch: int
) -> dict[str, Any]:
    """One Parameters-sheet row: versions plus the config flattened to columns."""
    row: dict[str, Any] = {"epoch_started_using_these_settings": epoch}
    row.update({f"{k}_version": v for k, v in versions.items()})
    for key, value in config.items():
        if isinstance(value, Mapping):
            row.update({f"{key}.{sub}": v for sub, v in value.items()})
        else:
            row[key] = value
    return row


def _number_or_text(value: str) -> Any:
    try:
        return float(value) if value != "" else None
    except ValueError:
        return value
