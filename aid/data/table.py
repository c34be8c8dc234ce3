"""The dataset table: which files, which class, which role, how many events.

One :class:`DatasetEntry` per file and role, as in AIDeveloper's table (one class
per file; labels are not stored in ``.rtdc`` files). The table is what the GUI
shows, what a session file stores and what training and assessment consume.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

from aid.errors import DatasetError

Role = Literal["train", "valid", "test"]
ROLES: tuple[str, ...] = ("train", "valid", "test")
SESSION_SCHEMA_VERSION = 2
SplitBy = Literal["event", "file", "group"]


@dataclass(frozen=True)
class EventSubset:
    """A deterministic part of a file's events, for splits by event.

    The events ``0..n_events-1`` are permuted with ``seed``; the first
    ``valid_count`` form the ``"valid"`` part, the rest the ``"train"`` part.
    Both parts of one split are therefore disjoint and together complete.
    """

    part: Literal["train", "valid"]
    fraction: float
    seed: int
    n_events: int

    def __post_init__(self) -> None:
        if self.part not in ("train", "valid"):
            raise DatasetError(
                f"subset part must be 'train' or 'valid', got {self.part!r}"
            )
        if not 0.0 < self.fraction < 1.0:
            raise DatasetError(
                f"split fraction must be between 0 and 1, got {self.fraction}"
            )
        if self.n_events < 2:
            raise DatasetError("a file needs at least 2 events to be split by event")

    @classmethod
    def parse(cls, text: str) -> EventSubset:
        """Read ``"<part>:<fraction>:<seed>:<n_events>"``."""
        try:
            part, fraction, seed, n_events = text.split(":")
            return cls(part, float(fraction), int(seed), int(n_events))  # type: ignore[arg-type]
        except ValueError as exc:
            raise DatasetError(
                f"bad event subset {text!r}; "
                "expected '<train|valid>:<fraction>:<seed>:<events>'"
            ) from exc

    def __str__(self) -> str:
        return f"{self.part}:{self.fraction:g}:{self.seed}:{self.n_events}"

    @property
    def valid_count(self) -> int:
        """Events in the validation part (at least 1, leaving 1 or more to train)."""
        return min(max(int(round(self.fraction * self.n_events)), 1), self.n_events - 1)

    def other(self) -> EventSubset:
        """Return the complementary part."""
        return replace(self, part="valid" if self.part == "train" else "train")

    def indices(self) -> np.ndarray:
        """Sorted event indices of this part."""
        order = np.random.default_rng(self.seed).permutation(self.n_events)
        cut = self.valid_count
        return np.sort(order[:cut] if self.part == "valid" else order[cut:])

    def __len__(self) -> int:
        return (
            self.valid_count
            if self.part == "valid"
            else self.n_events - self.valid_count
        )


@dataclass(frozen=True)
class DatasetEntry:
    """One ``.rtdc`` file in a given role.

    Parameters
    ----------
    path
        Path of the ``.rtdc`` file.
    class_index
        Integer class of every event in the file (>= 0).
    role
        ``"train"``, ``"valid"`` or ``"test"``.
    events_total
        Number of events in the file.
    events_per_epoch
        Events drawn from the file per training epoch (0 = file not used).
    zoom
        Zoom factor applied before cropping.
    group
        Optional group label (donor, experiment) for group-aware splits.
    shuffle
        Draw a random sample each epoch; ``False`` uses every event each epoch.
    subset
        ``""`` (all events) or an event subset made by :func:`split_table`,
        written ``"<train|valid>:<fraction>:<seed>"``; see :class:`EventSubset`.
    """

    path: str
    class_index: int
    role: Role = "train"
    events_total: int = 0
    events_per_epoch: int = 0
    zoom: float = 1.0
    group: str = ""
    shuffle: bool = True
    subset: str = ""

    def __post_init__(self) -> None:
        if self.subset:
            EventSubset.parse(self.subset)
        if self.role not in ROLES:
            raise DatasetError(f"role must be one of {ROLES}, got {self.role!r}")
        if not isinstance(self.class_index, int) or self.class_index < 0:
            raise DatasetError(
                f"class index must be an integer >= 0, got {self.class_index!r}"
            )
        if self.events_per_epoch < 0:
            raise DatasetError("events per epoch must be >= 0")
        if not self.zoom > 0:
            raise DatasetError(f"zoom must be > 0, got {self.zoom}")

    @property
    def name(self) -> str:
        """File name without folder."""
        return Path(self.path).name


@dataclass(frozen=True)
class DatasetTable:
    """An ordered collection of entries plus class names.

    ``class_names[i]`` names class ``i``; missing names default to the class
    number as text (AIDeveloper's default).
    """

    entries: tuple[DatasetEntry, ...] = ()
    class_names: tuple[str, ...] = ()

    # -- queries ---------------------------------------------------------
    def with_role(self, role: Role) -> tuple[DatasetEntry, ...]:
        """Entries used in ``role`` (``events_per_epoch`` > 0 for training)."""
        return tuple(e for e in self.entries if e.role == role)

    @property
    def num_classes(self) -> int:
        """``max(class index) + 1`` over all entries (gaps allowed)."""
        indices = [e.class_index for e in self.entries]
        return max(max(indices) + 1 if indices else 0, len(self.class_names))

    def class_name(self, index: int) -> str:
        """Name of class ``index``."""
        if index < len(self.class_names) and self.class_names[index]:
            return self.class_names[index]
        return str(index)

    def all_class_names(self) -> tuple[str, ...]:
        """Names of classes ``0 .. num_classes-1``."""
        return tuple(self.class_name(i) for i in range(self.num_classes))

    def overview(self) -> list[dict[str, Any]]:
        """Totals per class and role, as the GUI's class overview shows."""
        rows: dict[tuple[int, str], dict[str, Any]] = {}
        for e in self.entries:
            row = rows.setdefault(
                (e.class_index, e.role),
                {
                    "class_index": e.class_index,
                    "class_name": self.class_name(e.class_index),
                    "role": e.role,
                    "files": 0,
                    "events_total": 0,
                    "events_per_epoch": 0,
                },
            )
            row["files"] += 1
            row["events_total"] += e.events_total
            row["events_per_epoch"] += e.events_per_epoch
        return [rows[k] for k in sorted(rows, key=lambda k: (ROLES.index(k[1]), k[0]))]

    # -- edits (return new tables) -------------------------------------
    def replace_entry(self, row: int, **changes: Any) -> DatasetTable:
        """Copy with entry ``row`` changed."""
        entries = list(self.entries)
        entries[row] = replace(entries[row], **changes)
        return replace(self, entries=tuple(entries))

    def add(self, entries: Iterable[DatasetEntry]) -> DatasetTable:
        """Copy with ``entries`` appended."""
        return replace(self, entries=self.entries + tuple(entries))

    def remove(self, rows: Sequence[int]) -> DatasetTable:
        """Copy without the given rows."""
        drop = set(rows)
        return replace(
            self, entries=tuple(e for i, e in enumerate(self.entries) if i not in drop)
        )

    def with_class_names(self, names: Sequence[str]) -> DatasetTable:
        """Copy with new class names."""
        return replace(self, class_names=tuple(str(n) for n in names))

    def validate_for_training(self) -> None:
        """Raise :class:`DatasetError` unless the table can train a classifier."""
        train = [e for e in self.with_role("train") if e.events_per_epoch > 0]
        if not train:
            raise DatasetError("no training files with events per epoch > 0")
        if len({e.class_index for e in train}) < 2:
            raise DatasetError("training needs at least 2 different classes")
        if not self.with_role("valid"):
            raise DatasetError(
                "no validation files; mark some files as validation or use a split"
            )

    # -- persistence -----------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-able dictionary with schema version."""
        return {
            "schema_version": SESSION_SCHEMA_VERSION,
            "class_names": list(self.class_names),
            "entries": [asdict(e) for e in self.entries],
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> DatasetTable:
        """Inverse of :meth:`to_dict`; raises :class:`DatasetError` on bad input."""
        version = raw.get("schema_version")
        if version == 1:  # v2 added DatasetEntry.subset (default "": all events)
            raw, version = {**raw, "schema_version": 2}, 2
        if version != SESSION_SCHEMA_VERSION:
            raise DatasetError(f"unsupported session schema version {version!r}")
        try:
            entries = tuple(DatasetEntry(**e) for e in raw["entries"])
            names = tuple(str(n) for n in raw.get("class_names", ()))
        except (KeyError, TypeError, AttributeError) as exc:
            raise DatasetError(f"invalid session file: {exc}") from exc
        return cls(entries=entries, class_names=names)


@dataclass(frozen=True)
class Session:
    """A saved workspace: the dataset table plus free-form settings."""

    table: DatasetTable
    settings: dict[str, Any] = field(default_factory=dict)

    def save(self, path: str | Path) -> Path:
        """Write atomically as JSON (``*.aidsession.json`` by convention)."""
        path = Path(path)
        raw = self.table.to_dict()
        raw["settings"] = self.settings
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(raw, indent=2), encoding="utf-8")
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> Session:
        """Read a session file; relative paths resolve against its folder."""
        path = Path(path)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise DatasetError(f"{path}: cannot read session file ({exc})") from exc
        if not isinstance(raw, dict):
            raise DatasetError(f"{path}: not a session file")
        table = DatasetTable.from_dict(raw)
        entries = tuple(
            replace(e, path=str((path.parent / e.path).resolve()))
            if not Path(e.path).is_absolute()
            else e
            for e in table.entries
        )
        return cls(
            table=replace(table, entries=entries),
            settings=dict(raw.get("settings", {})),
        )


def __getattr__(name: str) -> object:
    # split_table lives in aid.data.split, which imports this module.
    if name == "split_table":
        from aid.data import split

        return split.split_table
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
