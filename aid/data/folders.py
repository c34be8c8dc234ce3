"""Build a :class:`~aid.data.table.DatasetTable` from files and folders.

Class indices follow the sorted file stems (``automobile.rtdc`` -> 0,
``cat.rtdc`` -> 1), the same stem in several folders is the same class, and the
class names are the stems. Folders of images are imported to ``.rtdc`` first.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import platformdirs

from aid.data.images import IMAGE_SUFFIXES, import_images
from aid.data.rtdc import rtdc_info
from aid.data.table import DatasetEntry, DatasetTable, Role
from aid.errors import DatasetError, RtdcFormatError

#: Sub-folder names that set the role of the ``.rtdc`` files inside.
ROLE_FOLDERS: dict[str, Role] = {
    "train": "train",
    "training": "train",
    "valid": "valid",
    "validation": "valid",
    "test": "test",
}


def cache_dir() -> Path:
    """AID's cache folder: ``$AID_CACHE_DIR`` or the platform's user cache dir."""
    return Path(
        os.environ.get("AID_CACHE_DIR") or platformdirs.user_cache_dir("aid", "aid")
    )


def table_from_paths(
    paths: Iterable[str | Path],
    *,
    role: Role = "train",
    roles: Sequence[Role] | None = None,
    events_per_epoch: int | None = None,
) -> DatasetTable:
    """One entry per ``.rtdc`` file; classes by sorted stems.

    Parameters
    ----------
    paths
        ``.rtdc`` files with images and at least one event.
    role, roles
        Role of every file, or one role per file.
    events_per_epoch
        Events drawn per file and epoch; ``None`` uses every event of the file.

    Raises
    ------
    RtdcFormatError
        A file has no images or no events.
    """
    files = [Path(p) for p in paths]
    if not files:
        raise DatasetError("no .rtdc files given")
    file_roles = list(roles) if roles is not None else [role] * len(files)
    if len(file_roles) != len(files):
        raise DatasetError(f"{len(files)} files but {len(file_roles)} roles")
    names = sorted({p.stem for p in files})
    entries = []
    for path, file_role in zip(files, file_roles, strict=True):
        info = rtdc_info(path)
        if info.image_shape is None or info.events == 0:
            what = "no images" if info.image_shape is None else "0 events"
            raise RtdcFormatError(
                f"{path}: the file has {what}; it cannot be used for training"
            )
        per_epoch = info.events if events_per_epoch is None else events_per_epoch
        entries.append(
            DatasetEntry(
                path=str(path.resolve()),
                class_index=names.index(path.stem),
                role=file_role,
                events_total=info.events,
                events_per_epoch=per_epoch,
            )
        )
    return DatasetTable(entries=tuple(entries), class_names=tuple(names))


def table_from_folder(
    path: str | Path,
    *,
    role: Role = "train",
    events_per_epoch: int | None = None,
    out_dir: str | Path | None = None,
    size: int | None = None,
    color: str | None = None,
) -> DatasetTable:
    """Table from a folder of ``.rtdc`` files, role folders, or image class folders.

    * ``.rtdc`` files directly in ``path``: all get ``role``.
    * Sub-folders ``train``/``valid``/``validation``/``test`` with ``.rtdc`` files:
      roles from the folder names.
    * Otherwise sub-folders of images (one per class) are imported with
      :func:`~aid.data.images.import_images` into ``out_dir`` (default: a cache
      folder keyed by the source path, reused while the source is unchanged).
    """
    folder = Path(path)
    if not folder.is_dir():
        raise DatasetError(f"{folder}: not a folder")
    direct = sorted(folder.glob("*.rtdc"))
    if direct:
        return table_from_paths(direct, role=role, events_per_epoch=events_per_epoch)
    role_files = [
        (p, ROLE_FOLDERS[sub.name.lower()])
        for sub in sorted(folder.iterdir())
        if sub.is_dir() and sub.name.lower() in ROLE_FOLDERS
        for p in sorted(sub.glob("*.rtdc"))
    ]
    if role_files:
        return table_from_paths(
            [p for p, _ in role_files],
            roles=[r for _, r in role_files],
            events_per_epoch=events_per_epoch,
        )
    if not any(p.suffix.lower() in IMAGE_SUFFIXES for p in folder.rglob("*")):
        raise DatasetError(f"{folder}: no .rtdc files and no images found")
    target = (
        Path(out_dir) if out_dir is not None else _import_cache(folder, size, color)
    )
    # Image class folders, optionally below role folders (TRAIN/<class>, TEST/<class>).
    sources = [
        (sub, ROLE_FOLDERS[sub.name.lower()], target / sub.name.lower())
        for sub in sorted(folder.iterdir())
        if sub.is_dir() and sub.name.lower() in ROLE_FOLDERS
    ] or [(folder, role, target)]
    paths: list[Path] = []
    roles: list[Role] = []
    for source, source_role, dest in sources:
        if not sorted(dest.glob("*.rtdc")):
            import_images(source, dest, size=size, color=color, overwrite=True)  # type: ignore[arg-type]
        found = sorted(dest.glob("*.rtdc"))
        paths += found
        roles += [source_role] * len(found)
    return table_from_paths(paths, roles=roles, events_per_epoch=events_per_epoch)


def _import_cache(folder: Path, size: int | None, color: str | None) -> Path:
    """Cache folder for imports of ``folder``, keyed by path, options and file times."""
    digest = hashlib.sha1(f"{folder.resolve()}|{size}|{color}".encode())
    for item in sorted(folder.rglob("*")):
        stat = item.stat()
        digest.update(
            f"{item.relative_to(folder)}|{stat.st_size}|{stat.st_mtime_ns}".encode()
        )
    return cache_dir() / "imports" / digest.hexdigest()[:16]
