"""The live parameter file ``RUN/params.json`` and its log ``RUN/params_log.csv``.

The GUI (or a person with an editor, or :func:`write_params`) edits the file
while a run trains; the training thread reads it at every epoch boundary
through :class:`LiveParams`, which diffs it against the values in force,
validates each change, applies the valid ones and logs every change, applied
or rejected, with the epoch that first uses it. Writes are atomic, so a reader
never sees half a file.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from aid.errors import ConfigError
from aid.train.config import LIVE_KEYS, TrainConfig, to_jsonable
from aid.train.run_folder import append_csv_row, atomic_write_text, now_text

PARAMS_FILE = "params.json"
PARAMS_LOG = "params_log.csv"
LOG_COLUMNS = ("epoch", "time", "key", "old", "new", "status")
PARAMS_SCHEMA_VERSION = 1
#: Requests (not settings) that may appear in params.json, with their resting value.
CONTROL_KEYS: dict[str, bool] = {"pause": False, "stop": False, "save_now": False}
#: Keys whose dict values :func:`write_params` merges instead of replacing.
_MERGED_KEYS = ("augmentation",)
_WRITE_LOCK = threading.Lock()


def read_params(run_dir: str | Path) -> dict[str, Any]:
    """Return the content of ``RUN/params.json``.

    Raises
    ------
    ConfigError
        When the file is missing, not JSON or not a JSON object.
    """
    path = Path(run_dir) / PARAMS_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read live parameters ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: malformed JSON ({exc})") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: live parameters must be a JSON object")
    return raw


def write_params(run_dir: str | Path, **changes: Any) -> dict[str, Any]:
    """Merge ``changes`` into ``RUN/params.json`` atomically; return the new content.

    ``augmentation`` may be partial: its keys are merged into the file's
    augmentation settings. Values are not validated here; the training thread
    validates and logs them at the next epoch boundary.
    """
    path = Path(run_dir) / PARAMS_FILE
    with _WRITE_LOCK:
        current = read_params(run_dir) if path.exists() else {}
        for key, value in changes.items():
            value = to_jsonable(value)
            old = current.get(key)
            if (
                key in _MERGED_KEYS
                and isinstance(old, dict)
                and isinstance(value, dict)
            ):
                value = {**old, **value}
            current[key] = value
        atomic_write_text(path, json.dumps(current, indent=2, sort_keys=True))
    return current


@dataclass
class ParamsUpdate:
    """Outcome of one read of the params file at an epoch boundary."""

    config: TrainConfig
    changes: dict[str, Any] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)
    requests: dict[str, bool] = field(default_factory=dict)
    log_rows: list[tuple[str, Any, Any, str]] = field(default_factory=list)

    def reject(self, key: str, value: Any, reason: str, old: Any = None) -> None:
        """Record a refused change."""
        self.rejected[key] = reason
        self.log_rows.append((key, old, value, f"rejected: {reason}"))

    def revert(self, key: str, previous: TrainConfig, reason: str) -> None:
        """Undo an accepted change that the model cannot take (logged as rejected)."""
        self.config = replace(self.config, **{key: getattr(previous, key)})
        self.changes.pop(key, None)
        self.rejected[key] = reason
        self.log_rows = [
            (k, old, new, f"rejected: {reason}" if k == key else status)
            for k, old, new, status in self.log_rows
        ]


class LiveParams:
    """Read, validate and log live changes of one run folder.

    Parameters
    ----------
    run_dir
        The run folder.
    seen
        The file content last processed (restored on resume); a key is only
        processed again when its value in the file changes, so a rejected
        value is logged once, not at every epoch.
    """

    def __init__(
        self, run_dir: str | Path, seen: Mapping[str, Any] | None = None
    ) -> None:
        self.run_dir = Path(run_dir)
        self.seen: dict[str, Any] = dict(seen or {})
        self._bad_file: str | None = None

    @property
    def path(self) -> Path:
        """Path of ``params.json``."""
        return self.run_dir / PARAMS_FILE

    @property
    def log_path(self) -> Path:
        """Path of ``params_log.csv``."""
        return self.run_dir / PARAMS_LOG

    def start(self, config: TrainConfig) -> None:
        """Write the full params file for ``config`` and remember it as seen."""
        content = {
            "schema_version": PARAMS_SCHEMA_VERSION,
            **config.live_dict(),
            **CONTROL_KEYS,
        }
        atomic_write_text(self.path, json.dumps(content, indent=2, sort_keys=True))
        self.seen = content
        if not self.log_path.exists():  # scripts may tail the log from the start
            atomic_write_text(self.log_path, ",".join(LOG_COLUMNS) + "\n")

    def poll(self, config: TrainConfig) -> ParamsUpdate:
        """Diff the file against what was seen; validate and apply each change."""
        update = ParamsUpdate(config)
        try:
            raw = read_params(self.run_dir)
        except ConfigError as exc:
            text = str(exc)
            if text != self._bad_file:  # log a broken file once, not every epoch
                self._bad_file = text
                update.reject(PARAMS_FILE, None, text)
            return update
        self._bad_file = None
        for key in sorted(raw):
            value = raw[key]
            if key == "schema_version" or (
                key in self.seen and _same(self.seen[key], value)
            ):
                continue
            old_raw = self.seen.get(key)
            self.seen[key] = value
            self._apply(update, key, value, old_raw)
        return update

    def _apply(self, update: ParamsUpdate, key: str, value: Any, old_raw: Any) -> None:
        if key in CONTROL_KEYS:
            if not isinstance(value, bool):
                update.reject(key, value, f"{key} must be true or false", old_raw)
                return
            update.requests[key] = value
            update.log_rows.append((key, old_raw, value, "applied"))
            return
        if key not in LIVE_KEYS:
            known = key in TrainConfig.__dataclass_fields__
            update.reject(key, value, "not live-editable" if known else "unknown key")
            return
        if _has_nan(value):
            update.reject(key, value, "NaN or infinite value", old_raw)
            return
        before = update.config
        try:
            after = before.with_changes({key: value})
        except ConfigError as exc:
            update.reject(key, value, str(exc), to_jsonable(getattr(before, key)))
            return
        update.config = after
        for name, old, new in changed_values(before, after):
            update.changes[name] = new
            update.log_rows.append((name, old, new, "applied"))

    def log(self, epoch: int, update: ParamsUpdate) -> None:
        """Append one row per change of ``update`` to ``params_log.csv``."""
        stamp = now_text()
        for key, old, new, status in update.log_rows:
            append_csv_row(
                self.log_path,
                LOG_COLUMNS,
                {
                    "epoch": epoch,
                    "time": stamp,
                    "key": key,
                    "old": json.dumps(old),
                    "new": json.dumps(new),
                    "status": status,
                },
            )

    def acknowledge(self, key: str) -> None:
        """Reset a one-shot request (``save_now``) in the file after serving it."""
        content = write_params(self.run_dir, **{key: CONTROL_KEYS[key]})
        self.seen[key] = content[key]


def changed_values(
    before: TrainConfig, after: TrainConfig
) -> list[tuple[str, Any, Any]]:
    """List ``(key, old, new)`` per changed live value (augmentation per sub-key)."""
    old, new = before.live_dict(), after.live_dict()
    rows: list[tuple[str, Any, Any]] = []
    for key in sorted(LIVE_KEYS):
        if old[key] == new[key]:
            continue
        if key == "augmentation":
            rows.extend(
                (f"augmentation.{sub}", old[key].get(sub), new[key].get(sub))
                for sub in sorted(set(old[key]) | set(new[key]))
                if old[key].get(sub) != new[key].get(sub)
            )
        else:
            rows.append((key, old[key], new[key]))
    return rows


def _same(a: Any, b: Any) -> bool:
    """Equality of JSON values that also holds for NaN (NaN != NaN in Python)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _has_nan(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, Mapping):
        return any(_has_nan(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_nan(v) for v in value)
    return False
