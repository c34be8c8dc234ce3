"""Read and write AIDeveloper's ``<model>_meta.xlsx`` files.

The workbook has the sheets ``UsedData``, ``DataOverview``, ``Parameters`` and
``History``; the first column of each is the unnamed row index. Column names
changed between AIDeveloper versions ("Nr. epochs", ``nr_epochs``), so they are
normalised on reading (see ``aideveloper-files.md`` §3 "Reading rules").
Only :mod:`openpyxl` is needed; no pandas.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from aid.data.preprocess import PADDINGS, Preprocessing
from aid.errors import ModelLoadError, PreprocessError
from aid.modelfile.meta import ModelMeta

Row = dict[str, Any]

SHEETS: tuple[str, ...] = ("UsedData", "DataOverview", "Parameters", "History")
#: Key under which the sheet's first (index) column is stored in each row.
ROW_KEY = "row"
#: Old column names and what they mean now.
COLUMN_ALIASES: dict[str, str] = {
    "input_image_crop": "input_image_size",
    "index": "class",
    "nr_cells": "nr_events",
    "nr_cells_epoch": "nr_events_epoch",
}
NORMALIZATION_NAMES: dict[str, str] = {
    "none": "none",
    "div. by 255": "div255",
    "stdscaling using mean and std of each image individually": "zscore_image",
    "stdscaling using mean and std of all training data": "zscore_train",
}
COLOR_MODE_NAMES: dict[str, str] = {"grayscale": "gray", "rgb": "rgb"}
#: AIDeveloper's zoom-order combo index -> interpolation it really used.
ZOOM_ORDERS: tuple[str, ...] = ("nearest", "linear", "cubic", "lanczos", "lanczos")


def normalize_column(name: object) -> str:
    """AID's name for an AIDeveloper column: ``"Nr. epochs"`` -> ``"nr_epochs"``."""
    text = str(name).lower().replace(".", "")
    text = re.sub(r"[^0-9a-z]+", "_", text).strip("_")
    return COLUMN_ALIASES.get(text, text)


@dataclass(frozen=True)
class AidMeta:
    """Contents of an AIDeveloper meta file, one list of row dicts per sheet.

    Each row maps normalised column names to cell values and carries the
    sheet's index column under ``"row"`` (the epoch in ``History``).
    """

    path: Path
    used_data: list[Row] = field(default_factory=list)
    data_overview: list[Row] = field(default_factory=list)
    parameters: list[Row] = field(default_factory=list)
    history: list[Row] = field(default_factory=list)

    def first_parameters(self) -> Row:
        """Return the first ``Parameters`` row: what AIDeveloper used for inference."""
        if not self.parameters:
            raise ModelLoadError(f"{self.path}: the Parameters sheet is empty")
        return self.parameters[0]

    def zoom_factor(self) -> float:
        """Zoom factor of the first ``UsedData`` row (1.0 when absent)."""
        value = self.used_data[0].get("zoom_factor") if self.used_data else None
        return _number(value) or 1.0

    def preprocessing(self) -> Preprocessing:
        """Inference preprocessing from the first ``Parameters`` row.

        Raises
        ------
        ModelLoadError
            If the input size is missing or colour mode / normalisation unknown.
        """
        params = self.first_parameters()
        try:
            size = int(params["input_image_size"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelLoadError(f"{self.path}: no valid input image size") from exc
        color = self._named(params, "color_mode", "Grayscale", COLOR_MODE_NAMES)
        norm = self._named(params, "normalization", "None", NORMALIZATION_NAMES)
        padding = str(params.get("paddingmode") or "constant").lower()
        zoom_order = params.get("zoom_order")
        interpolation = "nearest"
        if isinstance(zoom_order, int) and 0 <= zoom_order < len(ZOOM_ORDERS):
            interpolation = ZOOM_ORDERS[zoom_order]
        try:
            return Preprocessing(
                input_size=size,
                color_mode=color,  # type: ignore[arg-type]
                normalization=norm,  # type: ignore[arg-type]
                # "delete"/"alternate" mean nothing at inference: pad with 0
                padding=padding if padding in PADDINGS else "constant",  # type: ignore[arg-type]
                zoom_interpolation=interpolation,  # type: ignore[arg-type]
                mean=_number(params.get("mean_of_training_data_used_for_scaling")),
                std=_number(params.get("std_of_training_data_used_for_scaling")),
            )
        except PreprocessError as exc:
            raise ModelLoadError(f"{self.path}: {exc}") from exc

    def _named(self, params: Row, key: str, default: str, names: dict[str, str]) -> str:
        value = params.get(key) or default
        try:
            return names[str(value).strip().lower()]
        except KeyError:
            raise ModelLoadError(f"{self.path}: unknown {key} {value!r}") from None

    def class_names(self) -> tuple[str, ...]:
        """One name per class index.

        A ``DataOverview`` name other than the class number wins; otherwise the
        file name (without ``.rtdc``) shared by every ``UsedData`` file of that
        class (Tutorial 1: automobile, cat); otherwise the class number.
        """
        classes = sorted(
            {int(r["class"]) for r in self.used_data if r.get("class") is not None}
        )
        if not classes:
            count = int(self.first_parameters().get("output_nr_classes") or 0)
            return tuple(str(i) for i in range(count))
        overview = _overview_names(self.data_overview)
        return tuple(self._class_name(c, overview) for c in range(max(classes) + 1))

    def _class_name(self, cls: int, overview: dict[int, str]) -> str:
        if overview.get(cls, str(cls)) != str(cls):
            return overview[cls]
        paths = {r.get("rtdc_path") for r in self.used_data if r.get("class") == cls}
        stems = {_stem(p) for p in paths} - {""}
        return stems.pop() if len(stems) == 1 else str(cls)

    def history_row(self, epoch: int) -> Row | None:
        """Return the ``History`` row of ``epoch`` (``None`` when not recorded)."""
        return next((r for r in self.history if r.get(ROW_KEY) == epoch), None)

    def to_model_meta(self, epoch: int = -1) -> ModelMeta:
        """Metadata of the checkpoint ``<name>_<epoch>.model`` as :class:`ModelMeta`.

        ``source`` records the meta file, AIDeveloper version, zoom factor and
        the epoch's History row; ``source["saved"]`` is False when that row's
        ``Saved`` flag is not 1 (the checkpoint may come from another run).
        """
        params = self.first_parameters()
        row = self.history_row(epoch)
        version = params.get("aideveloper_version") or params.get(
            "more_acs_modelmaker_version"
        )
        source: dict[str, Any] = {
            "format": "aideveloper",
            "meta_file": str(self.path),
            "aideveloper_version": None if version is None else str(version),
            "zoom_factor": self.zoom_factor(),
            "history": None if row is None else {k: _plain(v) for k, v in row.items()},
            "saved": bool(row is not None and row.get("saved") == 1),
        }
        return ModelMeta(
            class_names=self.class_names(),
            preprocessing=self.preprocessing(),
            zoo_name=str(params.get("chosen_model") or ""),
            epoch=epoch,
            source=source,
            software={"aideveloper": source["aideveloper_version"] or "unknown"},
        )


def _number(value: object) -> float | None:
    """Return a numeric cell as float, ``None`` for an empty cell."""
    return None if value in (None, "") else float(value)  # type: ignore[arg-type]


def _overview_names(rows: list[Row]) -> dict[int, str]:
    """Class -> name from the training section of ``DataOverview``."""
    names: dict[int, str] = {}
    for row in rows:
        cls, name = row.get("class"), row.get("name")
        if cls is None or not str(cls).strip().isdigit() or name in (None, ""):
            continue
        names.setdefault(int(str(cls).strip()), str(name))
    return names


def _stem(path: object) -> str:
    """File stem of a Windows or POSIX path string."""
    return PureWindowsPath(str(path)).stem if path else ""


def _plain(value: Any) -> Any:
    """JSON-able version of a cell value."""
    return (
        value
        if value is None or isinstance(value, (bool, int, float, str))
        else str(value)
    )


def read_aid_meta(path: str | Path) -> AidMeta:
    """Read an AIDeveloper ``_meta.xlsx`` (any version).

    Raises
    ------
    ModelLoadError
        If the file is missing, not an .xlsx workbook or has no Parameters sheet.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelLoadError(f"{path}: meta file not found")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError) as exc:
        raise ModelLoadError(f"{path}: not a readable .xlsx meta file ({exc})") from exc
    try:
        if "Parameters" not in book.sheetnames:
            raise ModelLoadError(
                f"{path}: no Parameters sheet; not an AIDeveloper meta file"
            )
        sheets = {
            name: _read_sheet(book[name]) if name in book.sheetnames else []
            for name in SHEETS
        }
    finally:
        book.close()
    return AidMeta(
        path,
        sheets["UsedData"],
        sheets["DataOverview"],
        sheets["Parameters"],
        sheets["History"],
    )


def _read_sheet(sheet: Any) -> list[Row]:
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if not header:
        return []
    names = [normalize_column(h) if h is not None else "" for h in header[1:]]
    table = []
    for values in rows:
        if values is None or all(v is None for v in values):
            continue
        cells = list(values[1:]) + [None] * (len(names) - len(values) + 1)  # empty tail
        row: Row = {ROW_KEY: values[0]}
        row.update({n: v for n, v in zip(names, cells, strict=False) if n})
        table.append(row)
    return table


def write_aid_meta(
    path: str | Path,
    used_data: Sequence[Row],
    data_overview: Sequence[Row],
    parameters: Sequence[Row],
    history: Sequence[Row],
) -> Path:
    """Write an AIDeveloper-style meta workbook atomically.

    Each sheet's header is the union of its rows' keys (first-seen order); the
    first column is the unnamed index: a row's ``"row"`` value, else its
    position. ``None`` is an empty cell; lists, dicts etc. are written as text.
    An existing read-only file (as AIDeveloper leaves it) is replaced.
    """
    path = Path(path)
    book = openpyxl.Workbook(write_only=True)
    sheets = (used_data, data_overview, parameters, history)
    for name, rows in zip(SHEETS, sheets, strict=True):
        sheet = book.create_sheet(name)
        columns = list(dict.fromkeys(k for row in rows for k in row if k != ROW_KEY))
        sheet.append([None, *columns])
        for position, row in enumerate(rows):
            sheet.append(
                [row.get(ROW_KEY, position), *(_plain(row.get(c)) for c in columns)]
            )
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        book.save(tmp)
        if path.exists():
            path.chmod(0o644)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
