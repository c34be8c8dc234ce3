"""Turn dropped or chosen paths into dataset-table rows (runs in a worker thread).

``.rtdc`` files are used as they are; folders of ``.rtdc`` files (optionally in
``train``/``valid``/``test`` sub-folders) go through the core's
``table_from_folder``; image class folders and zips are converted with
``import_images`` (with progress and cancel) into AID's cache folder first.
No Qt here: these functions run inside a :class:`TaskWorker`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from aid.data.folders import cache_dir, table_from_folder, table_from_paths
from aid.data.images import import_images
from aid.data.table import DatasetTable
from aid.errors import DatasetError

Progress = Callable[[int, int], None]
#: Events per epoch given to new rows (AIDeveloper's default; capped by the file).
NEW_ROW_EVENTS_PER_EPOCH = 100


def _import_target(source: Path) -> Path:
    """Cache folder for converting ``source`` (a zip or an image folder)."""
    stat = source.stat()
    key = f"{source.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    return cache_dir() / "imports" / hashlib.sha1(key.encode()).hexdigest()[:16]


def _convert_images(
    source: Path, progress: Progress, cancelled: Callable[[], bool]
) -> DatasetTable:
    target = _import_target(source)
    existing = sorted(target.glob("*.rtdc"))
    if not existing:
        result = import_images(
            source, target, overwrite=True, progress=progress, cancel=cancelled
        )
        existing = list(result.files)
    return table_from_paths(existing)


def table_for_path(
    path: Path, progress: Progress, cancelled: Callable[[], bool]
) -> DatasetTable:
    """Rows for one dropped path (file, folder or zip)."""
    if path.is_file() and path.suffix.lower() == ".rtdc":
        return table_from_paths([path])
    if path.is_file() and path.suffix.lower() == ".zip":
        return _convert_images(path, progress, cancelled)
    if path.is_dir():
        if any(path.rglob("*.rtdc")):
            return table_from_folder(path)
        return _convert_images(path, progress, cancelled)
    raise DatasetError(f"{path}: not an .rtdc file, a folder or a zip of image folders")


def merge_tables(current: DatasetTable, new: DatasetTable) -> DatasetTable:
    """Append ``new`` rows; known class names keep their index, new ones are added."""
    names = list(current.all_class_names())
    index_of: dict[int, int] = {}
    for old_index in range(new.num_classes):
        name = new.class_name(old_index)
        if name not in names:
            names.append(name)
        index_of[old_index] = names.index(name)
    known = {(e.path, e.role) for e in current.entries}
    added = [
        replace(
            e,
            class_index=index_of[e.class_index],
            events_per_epoch=min(NEW_ROW_EVENTS_PER_EPOCH, e.events_total),
        )
        for e in new.entries
        if (e.path, e.role) not in known
    ]
    return current.add(added).with_class_names(names)


def load_paths(
    paths: Sequence[str | Path],
    current: DatasetTable,
    progress: Progress,
    cancelled: Callable[[], bool],
) -> DatasetTable:
    """Return ``current`` plus rows for every path, in order (a task body)."""
    table = current
    for path in _expand(paths):
        if cancelled():
            break
        table = merge_tables(table, table_for_path(path, progress, cancelled))
    return table


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    result = [Path(p) for p in paths]
    missing = [str(p) for p in result if not p.exists()]
    if missing:
        raise DatasetError(f"not found: {', '.join(missing)}")
    return result
