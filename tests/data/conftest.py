"""Fixtures of the data tests: small real .rtdc tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from aid.data.rtdc_write import write_rtdc
from aid.data.table import DatasetEntry, DatasetTable


@pytest.fixture()
def labelled_table(tmp_path: Path) -> DatasetTable:
    """Three 20x20 files (classes 0, 1, 1; groups a, b, c; 40, 30, 25 events).

    The centre pixel ``[10, 10]`` of event ``i`` is ``i``, so crops show which
    event they came from; pixel ``[0, 0]`` is ``100 + class``.
    """
    entries = []
    for row, (cls, group, n) in enumerate([(0, "a", 40), (1, "b", 30), (1, "c", 25)]):
        images = np.zeros((n, 20, 20), np.uint8)
        images[:, 10, 10] = np.arange(n)
        images[:, 0, 0] = 100 + cls
        path = write_rtdc(tmp_path / f"file{row}.rtdc", images)
        entries.append(DatasetEntry(str(path), cls, "train", n, 10, group=group))
    return DatasetTable(tuple(entries), ("neg", "pos"))
