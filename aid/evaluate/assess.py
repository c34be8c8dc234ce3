"""Assess a saved model on labelled data: the flow the CLI and the GUI share.

Data is a dataset table (from a folder or a session file). Its classes are
matched to the model's by name, so a folder holding only ``cat.rtdc`` is still
scored as the model's class ``cat``, whatever its index in the folder.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aid.data.table import DatasetTable
from aid.errors import AssessmentError
from aid.evaluate.metrics import Assessment
from aid.evaluate.predict import Cancel, Predictions, Progress, predict_table

if TYPE_CHECKING:  # keras is loaded only when a model is
    from aid.modelfile.io import LoadedModel

#: Roles tried in order when the data's role is not given.
ROLE_PREFERENCE = ("test", "valid")


def load_table(data: str | Path, role: str | None = None) -> DatasetTable:
    """Dataset table of ``data`` restricted to the files to assess.

    Parameters
    ----------
    data
        A folder (``.rtdc`` files, role sub-folders or image class folders, as
        for training) or a session file ``*.json``.
    role
        Use the entries of this role; by default the test files if there are
        any, else the validation files, else every file.
    """
    from aid.data.folders import table_from_folder
    from aid.data.table import Session

    path = Path(data)
    if path.is_file() and path.suffix.lower() == ".json":
        table = Session.load(path).table
    elif path.is_dir():
        table = table_from_folder(path, role="test")
    else:
        raise AssessmentError(
            f"{path}: data must be a folder or a session file (*.json)"
        )
    if role is not None:
        chosen = table.with_role(role)  # type: ignore[arg-type]
        if not chosen:
            raise AssessmentError(f"{path}: no files with role {role!r}")
        return replace(table, entries=chosen)
    for preferred in ROLE_PREFERENCE:
        if table.with_role(preferred):  # type: ignore[arg-type]
            return replace(table, entries=table.with_role(preferred))  # type: ignore[arg-type]
    return table


def align_classes(table: DatasetTable, class_names: tuple[str, ...]) -> DatasetTable:
    """Renumber the table's classes to the model's, matching by class name.

    When a table class name is not among the model's, the class indices are
    kept as they are (numbered classes, legacy files) and must exist in the model.

    Raises
    ------
    AssessmentError
        If a class index does not exist in the model.
    """
    names = table.all_class_names()
    if all(name in class_names for name in names):
        entries = tuple(
            replace(e, class_index=class_names.index(names[e.class_index]))
            for e in table.entries
        )
        return DatasetTable(entries=entries, class_names=class_names)
    too_big = sorted(
        {e.class_index for e in table.entries if e.class_index >= len(class_names)}
    )
    if too_big:
        raise AssessmentError(
            f"the data has classes {list(names)} but the model only knows "
            f"{list(class_names)}; class indices {too_big} do not exist in the model"
        )
    return replace(table, class_names=class_names)


@dataclass(frozen=True)
class AssessmentResult:
    """Assessment metrics plus the raw predictions and where they came from."""

    assessment: Assessment
    predictions: Predictions
    provenance: dict[str, Any]


def assess(
    loaded: LoadedModel,
    table: DatasetTable,
    *,
    batch_size: int = 1024,
    sorting_class: int = 0,
    threshold: float | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> AssessmentResult:
    """Predict every event of ``table`` and compute the assessment.

    Parameters
    ----------
    loaded
        A :class:`aid.modelfile.io.LoadedModel`.
    table
        Labelled files; their classes are aligned to the model's by name.
    batch_size, progress, cancel
        As :func:`aid.evaluate.predict.predict_table`.
    sorting_class, threshold
        AIDeveloper's sorting class and threshold (``None``: argmax).
    """
    if not table.entries:
        raise AssessmentError("no files to assess")
    aligned = align_classes(table, tuple(loaded.meta.class_names))
    predictions = predict_table(
        loaded, aligned, batch_size=batch_size, progress=progress, cancel=cancel
    )
    assessment = Assessment(
        predictions.scores,
        predictions.labels,
        loaded.meta.class_names,
        predictions.sources,
        sorting_class=sorting_class,
        threshold=threshold,
    )
    return AssessmentResult(assessment, predictions, provenance(loaded, aligned))


def provenance(loaded: LoadedModel, table: DatasetTable) -> dict[str, Any]:
    """Model and data record for reports and JSON output."""
    meta = loaded.meta
    return {
        "model": str(loaded.path),
        "legacy": bool(loaded.legacy),
        "zoo_name": meta.zoo_name,
        "epoch": meta.epoch,
        "preprocessing": meta.preprocessing.to_dict(),
        "data": [
            {
                "path": e.path,
                "class": table.class_name(e.class_index),
                "role": e.role,
                "events": e.events_total,
            }
            for e in table.entries
        ],
    }
