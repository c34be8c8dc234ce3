"""Split training files into training and validation without leakage.

Three ways, chosen by ``by``:

``"event"``
    Every training file becomes two entries over disjoint event subsets
    (:class:`~aid.data.table.EventSubset`), so no event is in both roles.
``"file"``
    Per class, a share of the training files moves to validation.
``"group"``
    A share of the groups (donors, experiments) moves to validation with all of
    their files, so no group is in both roles.

Existing validation and test entries are kept unchanged.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

import numpy as np

from aid.data.table import DatasetEntry, DatasetTable, EventSubset, SplitBy
from aid.errors import DatasetError


def split_table(
    table: DatasetTable, fraction: float, *, by: SplitBy = "event", seed: int = 0
) -> DatasetTable:
    """Move ``fraction`` of the training data to validation.

    Parameters
    ----------
    table
        Table whose ``"train"`` entries are split.
    fraction
        Share (0..1, exclusive) of events, files per class, or groups.
    by
        ``"event"``, ``"file"`` or ``"group"`` (see the module description).
    seed
        Makes the split reproducible.

    Raises
    ------
    DatasetError
        Bad fraction, nothing to split, an entry split twice, or missing groups.
    """
    if not 0.0 < fraction < 1.0:
        raise DatasetError(f"split fraction must be between 0 and 1, got {fraction}")
    train_rows = [i for i, e in enumerate(table.entries) if e.role == "train"]
    if not train_rows:
        raise DatasetError("no training files to split")
    if by == "event":
        return _split_events(table, train_rows, fraction, seed)
    if by == "file":
        by_class: dict[int, list[int]] = defaultdict(list)
        for row in train_rows:
            by_class[table.entries[row].class_index].append(row)
        rng = np.random.default_rng(seed)
        moved: set[int] = set()
        for rows in by_class.values():
            moved.update(_pick(rows, fraction, rng))
    elif by == "group":
        groups = sorted({table.entries[row].group for row in train_rows})
        if "" in groups:
            raise DatasetError("a group split needs a group for every training file")
        chosen = set(_pick(groups, fraction, np.random.default_rng(seed)))
        moved = {row for row in train_rows if table.entries[row].group in chosen}
    else:
        raise DatasetError(f"split by must be 'event', 'file' or 'group', got {by!r}")
    if not moved:
        raise DatasetError(f"too few training files (or groups) to split by {by}")
    entries = tuple(
        replace(e, role="valid") if i in moved else e
        for i, e in enumerate(table.entries)
    )
    return replace(table, entries=entries)


def _pick(items: list, fraction: float, rng: np.random.Generator) -> list:
    """Pick a random ``fraction`` of ``items``: at least one, never all."""
    if len(items) < 2:
        return []
    count = min(max(int(round(fraction * len(items))), 1), len(items) - 1)
    return [items[i] for i in sorted(rng.permutation(len(items))[:count])]


def _split_events(
    table: DatasetTable, train_rows: list[int], fraction: float, seed: int
) -> DatasetTable:
    entries: list[DatasetEntry] = list(table.entries)
    valid_entries: list[DatasetEntry] = []
    for row in train_rows:
        entry = table.entries[row]
        if entry.subset:
            raise DatasetError(
                f"{entry.name} is already split; split the original table"
            )
        if entry.events_total < 2:
            raise DatasetError(
                f"{entry.name}: needs at least 2 events to be split by event"
            )
        # each file gets its own seed so files of equal size are not split alike
        valid = EventSubset("valid", fraction, seed + row, entry.events_total)
        train = valid.other()
        entries[row] = replace(
            entry,
            subset=str(train),
            events_total=len(train),
            events_per_epoch=min(entry.events_per_epoch, len(train))
            if entry.shuffle
            else len(train),
        )
        valid_entries.append(
            replace(
                entry,
                role="valid",
                subset=str(valid),
                events_total=len(valid),
                events_per_epoch=len(valid),
            )
        )
    return replace(table, entries=tuple(entries) + tuple(valid_entries))
