"""Import folders (or zips) of images as one ``.rtdc`` file per class.

The class of an image is its parent folder (``cat/001.png`` -> ``cat``); images
directly in the dropped folder take the folder's name, as in AIDeveloper. Zips
are read member by member with :mod:`zipfile`, never extracted. Decoding uses
OpenCV (fast) with Pillow as fallback for modes OpenCV cannot read.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

import numpy as np

from aid.data.image_codec import IMAGE_SUFFIXES, decode_image, fit_image, peek_image
from aid.data.preprocess import INTERPOLATIONS, Interpolation, convert_color
from aid.data.rtdc_write import RtdcWriter
from aid.errors import ImageImportError

__all__ = [
    "IMAGE_SUFFIXES",
    "ImportCancelled",
    "ImportResult",
    "decode_image",
    "import_images",
]
Progress = Callable[[int, int], None]
_FLUSH_EVERY = 2048


class ImportCancelled(ImageImportError):
    """The user cancelled an import; nothing was written."""


@dataclass(frozen=True)
class ImportResult:
    """What :func:`import_images` produced.

    ``files[i]`` holds class ``class_names[i]`` with ``events[i]`` images;
    ``skipped`` lists non-image files, ``corrupt`` images that failed to decode.
    """

    files: list[Path]
    class_names: list[str]
    events: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    corrupt: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Item:
    label: str  # path shown to the user
    class_key: str
    read: Callable[[], bytes]
    source: str  # the folder or zip given by the user


def _list_sources(
    sources: Sequence[Path], zips: list[zipfile.ZipFile]
) -> tuple[list[_Item], list[str]]:
    items: list[_Item] = []
    skipped: list[str] = []
    for src in sources:
        if src.is_dir():
            members = [
                (p.relative_to(src).as_posix(), p)
                for p in sorted(src.rglob("*"))
                if p.is_file()
            ]
            readers = {rel: p.read_bytes for rel, p in members}
            label = {rel: str(p) for rel, p in members}
        elif src.is_file() and zipfile.is_zipfile(src):
            archive = zipfile.ZipFile(src)
            zips.append(archive)
            names = sorted(n for n in archive.namelist() if not n.endswith("/"))
            readers = {n: (lambda n=n, a=archive: a.read(n)) for n in names}
            label = {n: f"{src}::{n}" for n in names}
        elif src.exists():
            raise ImageImportError(f"{src}: neither a folder nor a zip of images")
        else:
            raise ImageImportError(f"{src}: not found")
        for rel, read in readers.items():
            path = PurePosixPath(rel)
            hidden = any(part.startswith((".", "__MACOSX")) for part in path.parts)
            if hidden or path.suffix.lower() not in IMAGE_SUFFIXES:
                skipped.append(label[rel])
                continue
            key = path.parent.as_posix()
            items.append(
                _Item(label[rel], src.stem if key == "." else key, read, str(src))
            )
    return items, skipped


def _class_names(keys: set[str]) -> dict[str, str]:
    """Last folder name where unique, else the joined relative path."""
    last = Counter(PurePosixPath(k).name for k in keys)
    return {
        k: PurePosixPath(k).name
        if last[PurePosixPath(k).name] == 1
        else k.replace("/", "_")
        for k in keys
    }


def import_images(
    src: str | Path | Sequence[str | Path],
    out_dir: str | Path,
    *,
    size: int | None = None,
    color: Literal["gray", "rgb"] | None = None,
    resize: Literal["crop", "resize"] = "crop",
    interpolation: Interpolation = "lanczos",
    overwrite: bool = False,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
) -> ImportResult:
    """Convert image folders or zips to one ``<out_dir>/<class>.rtdc`` per class.

    Parameters
    ----------
    src
        One or more folders or zip files.
    out_dir
        Folder for the ``.rtdc`` files (created if needed).
    size
        Square side in pixels; ``None`` keeps the images' size when all agree.
    color
        ``"gray"``, ``"rgb"`` or ``None`` (RGB if any image is in colour).
    resize, interpolation
        How images of another size are fitted: ``"crop"`` (centre crop/pad with
        zeros) or ``"resize"`` with the given interpolation.
    overwrite
        Replace existing ``.rtdc`` files of the same class names.
    progress, cancel
        ``progress(done, total)`` is called before each image (keep it cheap;
        a GUI throttles it); when ``cancel()`` returns true the import stops and
        writes nothing.

    Raises
    ------
    ImageImportError
        Missing or empty source, mixed sizes without ``size``, nothing decodable,
        existing output files (unless ``overwrite``).
    """
    sources = [Path(s) for s in ([src] if isinstance(src, str | Path) else src)]
    if resize not in ("crop", "resize") or interpolation not in INTERPOLATIONS:
        raise ImageImportError(
            f"unknown resize {resize!r} or interpolation {interpolation!r}"
        )
    if color not in ("gray", "rgb", None):
        raise ImageImportError(f"color must be 'gray', 'rgb' or None, got {color!r}")
    zips: list[zipfile.ZipFile] = []
    try:
        items, skipped = _list_sources(sources, zips)
        if not items:
            raise ImageImportError(
                f"{', '.join(map(str, sources))}: no images found "
                f"({', '.join(sorted(IMAGE_SUFFIXES))}); {len(skipped)} other files"
            )
        names = _class_names({item.class_key for item in items})
        out = Path(out_dir)
        targets = {key: out / f"{name}.rtdc" for key, name in names.items()}
        existing = [str(p) for p in targets.values() if p.exists()]
        if existing and not overwrite:
            raise ImageImportError(f"output exists: {', '.join(existing)}")
        shape, color = _plan(items, size, color, cancel)
        converted = _convert(
            items,
            targets,
            shape,
            color == "rgb",
            resize,
            interpolation,
            progress,
            cancel,
        )
    finally:
        for archive in zips:
            archive.close()
    written, events, corrupt = converted
    order = sorted(written, key=lambda key: names[key])
    return ImportResult(
        files=[written[k] for k in order],
        class_names=[names[k] for k in order],
        events=[events[k] for k in order],
        skipped=skipped,
        corrupt=corrupt,
    )


def _plan(
    items: list[_Item],
    size: int | None,
    color: str | None,
    cancel: Callable[[], bool] | None,
) -> tuple[tuple[int, int], str]:
    """Target ``(H, W)`` and colour mode; reads image headers only if needed."""
    if size is not None and (not isinstance(size, int) or size < 1):
        raise ImageImportError(f"size must be a positive integer, got {size!r}")
    if size is not None and color is not None:
        return (size, size), color
    shapes: Counter[tuple[int, int]] = Counter()
    any_rgb = False
    for item in items:
        if cancel is not None and cancel():
            raise ImportCancelled("import cancelled")
        header = peek_image(item.read())
        if header is not None:
            shapes[header[0]] += 1
            any_rgb = any_rgb or header[1]
    if size is None and len(shapes) > 1:
        common = ", ".join(f"{w}x{h} ({n})" for (h, w), n in shapes.most_common(3))
        raise ImageImportError(
            f"images have {len(shapes)} different sizes (e.g. {common}); choose a size"
        )
    if not shapes:
        raise ImageImportError("no readable images found")
    target = (size, size) if size is not None else next(iter(shapes))
    return target, color or ("rgb" if any_rgb else "gray")


def _convert(
    items: list[_Item],
    targets: dict[str, Path],
    shape: tuple[int, int],
    rgb: bool,
    resize: Literal["crop", "resize"],
    interpolation: Interpolation,
    progress: Progress | None,
    cancel: Callable[[], bool] | None,
) -> tuple[dict[str, Path], dict[str, int], list[str]]:
    writers: dict[str, RtdcWriter] = {}
    buffers: dict[str, list[np.ndarray]] = {}
    digests: dict[str, hashlib._Hash] = {}
    corrupt: list[str] = []
    written: dict[str, Path] = {}
    try:
        for done, item in enumerate(items):
            if cancel is not None and cancel():
                raise ImportCancelled("import cancelled; nothing was written")
            if progress is not None:
                progress(done, len(items))
            data = item.read()
            try:
                image = decode_image(data, name=item.label)
            except ImageImportError:
                corrupt.append(item.label)
                continue
            image = convert_color(image[np.newaxis], "rgb" if rgb else "gray")[0]
            image = fit_image(
                image if rgb else image[..., 0], shape, resize, interpolation
            )
            key = item.class_key
            if key not in writers:
                writers[key] = RtdcWriter(
                    targets[key],
                    image.shape,
                    compression=None,
                    provenance={
                        "source": item.source,
                        "class": targets[key].stem,
                        "size": list(shape),
                        "color": "rgb" if rgb else "gray",
                        "resize": resize,
                        "interpolation": interpolation,
                    },
                )
                buffers[key], digests[key] = [], hashlib.sha256()
                writers[key].logs["aid-sources"] = []
            buffers[key].append(image)
            digests[key].update(data)
            writers[key].logs["aid-sources"].append(item.label)
            if len(buffers[key]) >= _FLUSH_EVERY:
                writers[key].append(np.stack(buffers[key]))
                buffers[key].clear()
        if not writers:
            raise ImageImportError(f"none of the {len(items)} images could be decoded")
        for key, writer in writers.items():
            if buffers[key]:
                writer.append(np.stack(buffers[key]))
            writer.set_provenance(images_sha256=digests[key].hexdigest())
            written[key] = writer.close()
    except BaseException:
        for writer in writers.values():
            writer.abort()
        for path in written.values():
            path.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(len(items), len(items))
    return written, {k: w.n_events for k, w in writers.items()}, corrupt


def __getattr__(name: str) -> object:
    # The table builders import this module, so they live in aid.data.folders.
    if name in ("table_from_folder", "table_from_paths"):
        from aid.data import folders

        return getattr(folders, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
