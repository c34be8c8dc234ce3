"""Write RT-DC ``.rtdc`` files that AIDeveloper and dclab both read.

Layout (``aideveloper-files.md``, "Minimal AIDeveloper-compatible writer"):
``/events/image`` uint8 (gray or RGB, chunked, fletcher32, optional gzip),
``pos_x``/``pos_y`` float64 in µm, ``index`` int32 ``1..N``, a few root
attributes and a ``/logs`` group; nothing else at the top level, because
AIDeveloper takes a third top-level item for a second model input. Provenance
(source paths, hashes, software version) goes into ``/logs/aid-provenance``.

Every file is written under a temporary name and renamed when complete, so a
failure never leaves a half-written ``.rtdc`` behind.
"""

from __future__ import annotations

import datetime as _dt
import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import h5py
import hdf5plugin  # noqa: F401  (filters for copying zstd files)
import numpy as np

from aid import __version__
from aid.errors import RtdcFormatError
from aid.transaction import Transaction

PROVENANCE_LOG = "aid-provenance"
_CHUNK_BYTES = 1 << 20


def _tmp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.part")


class RtdcWriter(Transaction):
    """Append images (and positions, features) to a new ``.rtdc`` chunk by chunk.

    Parameters
    ----------
    path
        Final file name; data goes to a hidden temporary file until
        :meth:`close` renames it. Leaving the ``with`` block with an exception
        deletes the temporary file.
    image_shape
        ``(H, W)`` for gray or ``(H, W, 3)`` for RGB images.
    pixel_size
        ``imaging:pixel size`` in µm per pixel.
    attrs
        Extra root attributes (``"section:key"`` names).
    provenance
        JSON-able record stored in ``/logs/aid-provenance``.
    compression
        ``"gzip"`` (level 4) or ``None``.
    """

    def __init__(
        self,
        path: str | Path,
        image_shape: tuple[int, ...],
        *,
        pixel_size: float = 1.0,
        attrs: Mapping[str, Any] | None = None,
        provenance: Mapping[str, Any] | None = None,
        compression: str | None = "gzip",
    ) -> None:
        if len(image_shape) not in (2, 3) or (
            len(image_shape) == 3 and image_shape[2] != 3
        ):
            raise RtdcFormatError(
                f"image shape must be (H, W) or (H, W, 3), got {image_shape}"
            )
        if compression not in ("gzip", None):
            raise RtdcFormatError(
                f"compression must be 'gzip' or None, got {compression!r}"
            )
        if not pixel_size > 0:
            raise RtdcFormatError(f"pixel size must be > 0, got {pixel_size}")
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = _tmp_name(self.path)
        self._h5 = h5py.File(self._tmp, "w")
        self.n_events = 0
        self._pixel_size = float(pixel_size)
        self._attrs = dict(attrs or {})
        self._provenance = dict(provenance or {})
        rows = max(1, min(1000, _CHUNK_BYTES // int(np.prod(image_shape))))
        kwargs: dict[str, Any] = (
            {"compression": "gzip", "compression_opts": 4} if compression else {}
        )
        events = self._h5.create_group("events")
        self._h5.create_group("logs")
        self._image = events.create_dataset(
            "image",
            shape=(0, *image_shape),
            maxshape=(None, *image_shape),
            dtype=np.uint8,
            chunks=(rows, *image_shape),
            fletcher32=True,
            **kwargs,
        )
        if compression:  # AIDeveloper marks gzip images as HDF5 images
            self._image.attrs.update(
                {
                    "CLASS": np.bytes_("IMAGE"),
                    "IMAGE_VERSION": np.bytes_("1.2"),
                    "IMAGE_SUBCLASS": np.bytes_("IMAGE_GRAYSCALE"),
                }
            )
        self._features: dict[str, h5py.Dataset] = {}
        #: Extra text logs (name -> lines) written to ``/logs`` on :meth:`close`.
        self.logs: dict[str, list[str]] = {}

    def set_provenance(self, **items: Any) -> None:
        """Add JSON-able items to the provenance record."""
        self._provenance.update(items)

    def append(
        self,
        images: np.ndarray,
        pos_x: np.ndarray | None = None,
        pos_y: np.ndarray | None = None,
        features: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        """Add events; positions in µm default to the image centre."""
        images = np.asarray(images)
        if images.dtype != np.uint8 or images.shape[1:] != self._image.shape[1:]:
            expected = ", ".join(map(str, self._image.shape[1:]))
            raise RtdcFormatError(
                f"images must be uint8 of shape (n, {expected}); "
                f"got {images.dtype} {images.shape}"
            )
        n = len(images)
        height, width = images.shape[1:3]
        cols = {
            "pos_x": _default(pos_x, n, width / 2.0 * self._pixel_size),
            "pos_y": _default(pos_y, n, height / 2.0 * self._pixel_size),
            "index": np.arange(
                self.n_events + 1, self.n_events + n + 1, dtype=np.int32
            ),
            **{name: np.asarray(v) for name, v in (features or {}).items()},
        }
        self._grow(self._image, images)
        for name, values in cols.items():
            if name == "image" or len(values) != n:
                raise RtdcFormatError(
                    f"feature {name!r} must have one value per image ({n})"
                )
            if name not in self._features:
                if self.n_events:
                    raise RtdcFormatError(
                        f"feature {name!r} must be given from the first chunk on"
                    )
                self._features[name] = self._h5["events"].create_dataset(
                    name,
                    shape=(0, *values.shape[1:]),
                    maxshape=(None, *values.shape[1:]),
                    dtype=values.dtype,
                    chunks=True,
                )
            self._grow(self._features[name], values)
        self.n_events += n

    @staticmethod
    def _grow(dataset: h5py.Dataset, values: np.ndarray) -> None:
        start = len(dataset)
        dataset.resize(start + len(values), axis=0)
        dataset[start:] = values

    def close(self) -> Path:
        """Write attributes, close and move the file into place."""
        if not self._h5:
            return self.path
        if self.n_events == 0:
            self.abort()
            raise RtdcFormatError(
                f"{self.path}: refusing to write a file with 0 events"
            )
        now = _dt.datetime.now()
        height, width = self._image.shape[1:3]
        self._h5.attrs.update(
            {
                "experiment:date": now.strftime("%Y-%m-%d"),
                "experiment:time": now.strftime("%H:%M:%S"),
                "experiment:event count": np.int32(self.n_events),
                "experiment:run index": np.int32(1),
                "experiment:sample": self.path.stem,
                "imaging:pixel size": np.float64(self._pixel_size),
                "imaging:roi size x": np.int32(width),
                "imaging:roi size y": np.int32(height),
                "setup:software version": f"aid {__version__}",
                **self._attrs,
            }
        )
        record = {
            "software": f"aid {__version__}",
            "written": now.isoformat(timespec="seconds"),
            **self._provenance,
        }
        lines = json.dumps(record, indent=1, default=str).splitlines()
        for name, text in {PROVENANCE_LOG: lines, **self.logs}.items():
            self._h5["logs"].create_dataset(name, data=text, dtype=h5py.string_dtype())
        self._h5.close()
        self._tmp.replace(self.path)
        return self.path

    def abort(self) -> None:
        """Close and delete the temporary file."""
        if self._h5:
            self._h5.close()
        self._tmp.unlink(missing_ok=True)


def _default(values: np.ndarray | None, n: int, fill: float) -> np.ndarray:
    if values is None:
        return np.full(n, fill, dtype=np.float64)
    values = np.asarray(values)
    return values if values.dtype == np.int32 else values.astype(np.float64)


def write_rtdc(
    path: str | Path,
    images: np.ndarray,
    *,
    pos_x: np.ndarray | None = None,
    pos_y: np.ndarray | None = None,
    pixel_size: float = 1.0,
    features: dict[str, np.ndarray] | None = None,
    attrs: dict[str, Any] | None = None,
    provenance: dict[str, Any] | None = None,
    compression: str | None = "gzip",
) -> Path:
    """Write ``images`` ``(N,H,W)`` or ``(N,H,W,3)`` uint8 to a new ``.rtdc`` file.

    ``pos_x``/``pos_y`` are object centres in µm (default: image centre);
    ``features`` are extra per-event columns. See :class:`RtdcWriter`.

    Returns
    -------
    Path
        The written file.
    """
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    with RtdcWriter(
        path,
        images.shape[1:],
        pixel_size=pixel_size,
        attrs=attrs,
        provenance=provenance,
        compression=compression,
    ) as writer:
        writer.append(images, pos_x, pos_y, features)
    return writer.path


def copy_with_features(
    src: str | Path, dst: str | Path, new_features: Mapping[str, np.ndarray]
) -> Path:
    """Copy ``src`` to ``dst`` adding (or replacing) per-event features.

    Used for predictions (``userdef0`` = class, ``userdef1..9`` = scores), as
    AIDeveloper does. Every array must have one value per event.
    """
    src, dst = Path(src), Path(dst)
    if src.resolve() == dst.resolve():
        raise RtdcFormatError(f"{dst}: the copy must not overwrite its source")
    tmp = _tmp_name(dst)
    shutil.copyfile(src, tmp)
    try:
        with h5py.File(tmp, "a") as h5:
            if "events" not in h5:
                raise RtdcFormatError(
                    f"{src}: no 'events' group; this is not an RT-DC file"
                )
            events = h5["events"]
            n = (
                len(events["image"])
                if "image" in events
                else max(
                    (len(v) for v in events.values() if isinstance(v, h5py.Dataset)),
                    default=0,
                )
            )
            for name, values in new_features.items():
                values = np.asarray(values, dtype=np.float64)
                if values.shape != (n,):
                    raise RtdcFormatError(
                        f"feature {name!r} has shape {values.shape}, need ({n},)"
                    )
                if name in events:
                    del events[name]
                events.create_dataset(name, data=values)
        tmp.replace(dst)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dst
