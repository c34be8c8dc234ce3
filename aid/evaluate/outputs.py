"""Writers for per-event predictions: CSV or ``.xlsx``, row block by row block.

Both keep memory bounded: the CSV is appended and flushed per block; the
workbook uses openpyxl's write-only mode and continues on a new sheet when a
sheet is full (Excel allows 1,048,576 rows).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from aid.errors import AssessmentError
from aid.transaction import Transaction

#: Rows per Excel sheet, header included.
EXCEL_MAX_ROWS = 1_048_576
OUTPUT_SUFFIXES = (".csv", ".xlsx")


def prediction_header(class_names: Sequence[str]) -> list[str]:
    """Column names: file, event, predicted class and name, one score per class."""
    return ["file", "event", "predicted", "predicted_name"] + [
        f"score_{name}" for name in class_names
    ]


class PredictionWriter(Transaction):
    """Write prediction rows to ``path`` (``.csv`` or ``.xlsx``).

    Data goes to a temporary file that :meth:`close` renames, so a failed or
    cancelled run leaves no half-written output and never clobbers an old one.

    Parameters
    ----------
    path
        Output file; its suffix picks the format.
    class_names
        Names of the model's classes (for the header and the name column).
    info
        ``key -> value`` rows for an ``Info`` sheet (``.xlsx`` only).
    """

    def __init__(
        self,
        path: str | Path,
        class_names: Sequence[str],
        info: dict[str, Any] | None = None,
    ) -> None:
        self.path = Path(path)
        self.suffix = self.path.suffix.lower()
        if self.suffix not in OUTPUT_SUFFIXES:
            raise AssessmentError(
                f"{self.path}: the output must end in .csv or .xlsx, "
                f"not {self.path.suffix!r}"
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = self.path.with_name(f".{self.path.name}.part")
        self.class_names = list(class_names)
        self.header = prediction_header(self.class_names)
        self.rows = 0
        if self.suffix == ".csv":
            self._handle = self._tmp.open("w", newline="", encoding="utf-8")
            self._csv = csv.writer(self._handle)
            self._csv.writerow(self.header)
        else:
            from openpyxl import Workbook

            self._book = Workbook(write_only=True)
            sheet = self._book.create_sheet("Info")
            for key, value in (info or {}).items():
                sheet.append([str(key), _cell(value)])
            self._sheet_rows = EXCEL_MAX_ROWS  # forces a first data sheet
            self._sheets = 0

    def append(
        self,
        file_name: str,
        events: np.ndarray,
        predicted: np.ndarray,
        scores: np.ndarray,
    ) -> None:
        """Add one row per event of ``file_name``."""
        names = np.asarray(self.class_names, dtype=object)[predicted]
        columns = (events.tolist(), predicted.tolist(), names.tolist(), scores.tolist())
        rows = zip(*columns, strict=True)
        if self.suffix == ".csv":
            self._csv.writerows(
                [file_name, e, p, n, *(f"{s:.6g}" for s in sc)] for e, p, n, sc in rows
            )
            self._handle.flush()
        else:
            for e, p, n, sc in rows:
                self._next_excel_row().append([file_name, e, p, n, *sc])
        self.rows += len(events)

    def _next_excel_row(self) -> Any:
        if self._sheet_rows >= EXCEL_MAX_ROWS:
            self._sheets += 1
            suffix = "" if self._sheets == 1 else f"_{self._sheets}"
            self._sheet = self._book.create_sheet(f"Predictions{suffix}")
            self._sheet.append(self.header)
            self._sheet_rows = 1
        self._sheet_rows += 1
        return self._sheet

    def close(self) -> Path:
        """Finish the file and move it into place."""
        if self.suffix == ".csv":
            self._handle.close()
        else:
            if self._sheets == 0:
                self._next_excel_row()  # header-only sheet for an empty result
                self._sheet_rows -= 1
            self._book.save(self._tmp)
        self._tmp.replace(self.path)
        return self.path

    def abort(self) -> None:
        """Discard the temporary file."""
        if self.suffix == ".csv":
            self._handle.close()
        self._tmp.unlink(missing_ok=True)


def _cell(value: Any) -> Any:
    return (
        value if isinstance(value, (int, float, str)) or value is None else str(value)
    )


def free_copy_path(folder: str | Path, source: str | Path, addon: str) -> Path:
    """``folder/<stem>_<addon>.rtdc``, with ``_1``, ``_2`` ... if it exists."""
    folder, stem = Path(folder), Path(source).stem
    candidate = folder / f"{stem}_{addon}.rtdc"
    number = 0
    while candidate.exists():
        number += 1
        candidate = folder / f"{stem}_{addon}_{number}.rtdc"
    return candidate


def userdef_features(
    predicted: np.ndarray, scores: np.ndarray
) -> dict[str, np.ndarray]:
    """``userdef0`` = predicted class; ``userdef1..K`` = class scores when K <= 9.

    RT-DC has ten user-defined features; like AIDeveloper, scores are added only
    when all of them fit.
    """
    features = {"userdef0": np.asarray(predicted, dtype=np.float64)}
    if scores.shape[1] <= 9:
        for k in range(scores.shape[1]):
            features[f"userdef{k + 1}"] = np.asarray(scores[:, k], dtype=np.float64)
    return features


class RtdcCopies:
    """Collect predictions per input file; write each file's userdef copy when done.

    Only one file's predictions are held at a time when the rows arrive in file
    order (as :func:`aid.data.stream.iter_batches` yields them).

    Parameters
    ----------
    folder
        Where the copies go; ``None`` collects nothing and writes nothing.
    sources
        Input files, indexed by the row numbers passed to :meth:`add`.
    addon
        Name part of the copies: ``<stem>_<addon>.rtdc``.
    """

    def __init__(
        self, folder: str | Path | None, sources: Sequence[Path], addon: str
    ) -> None:
        self.folder = None if folder is None else Path(folder)
        self.sources = list(sources)
        self.addon = addon
        self.written: list[Path] = []
        self._pending: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}

    def add(self, row: int, predicted: np.ndarray, scores: np.ndarray) -> None:
        """Keep the predictions of some events of file ``row``; finish earlier files."""
        if self.folder is None:
            return
        self.finish([r for r in self._pending if r < row])
        self._pending.setdefault(int(row), []).append((predicted, scores))

    def finish(self, rows: Sequence[int] | None = None) -> None:
        """Write the copies of ``rows`` (all pending files by default)."""
        from aid.data.rtdc_write import copy_with_features

        for row in sorted(self._pending if rows is None else rows):
            blocks = self._pending.pop(row)
            source = self.sources[row]
            if self.folder is None or source.suffix.lower() != ".rtdc":
                continue
            features = userdef_features(
                np.concatenate([b[0] for b in blocks]),
                np.concatenate([b[1] for b in blocks]),
            )
            self.folder.mkdir(parents=True, exist_ok=True)
            target = free_copy_path(self.folder, source, self.addon)
            self.written.append(copy_with_features(source, target, features))

    def discard(self) -> None:
        """Delete the copies written so far (the run did not finish)."""
        for path in self.written:
            path.unlink(missing_ok=True)
        self.written.clear()
        self._pending.clear()
