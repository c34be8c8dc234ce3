"""Read RT-DC ``.rtdc`` (HDF5) measurement files lazily.

This is the only module (with :mod:`aid.data.rtdc_write`) that knows HDF5.
Images are never loaded whole: :meth:`RtdcFile.images` reads the requested
events only, so files larger than RAM work.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import h5py
import hdf5plugin  # noqa: F401  (registers zstd/szip/... filters with h5py)
import numpy as np

from aid.errors import RtdcFormatError

IMAGE_KEY = "image"


@dataclass(frozen=True)
class RtdcInfo:
    """Summary of an ``.rtdc`` file, as ``aid info`` prints it."""

    path: str
    events: int
    image_shape: tuple[int, ...] | None
    image_dtype: str | None
    pixel_size: float
    features: tuple[str, ...]
    compression: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dictionary."""
        return {
            "path": self.path,
            "events": self.events,
            "image_shape": list(self.image_shape) if self.image_shape else None,
            "image_dtype": self.image_dtype,
            "pixel_size": self.pixel_size,
            "features": list(self.features),
            "compression": self.compression,
        }


class RtdcFile:
    """An open ``.rtdc`` file with images.

    Use as a context manager or call :meth:`close`. ``require_images=False``
    allows opening image-less files for :func:`rtdc_info`.

    Raises
    ------
    RtdcFormatError
        If the file is missing, not HDF5, has no ``events`` group, no
        ``events/image`` (when required) or zero events (when required).
    """

    def __init__(self, path: str | Path, *, require_images: bool = True) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise RtdcFormatError(f"{self.path}: file not found")
        try:
            self._h5 = h5py.File(self.path, "r")
        except OSError as exc:
            raise RtdcFormatError(
                f"{self.path}: not a readable HDF5/.rtdc file ({exc})"
            ) from exc
        try:
            self._check(require_images)
        except RtdcFormatError:
            self._h5.close()
            raise

    def _check(self, require_images: bool) -> None:
        if "events" not in self._h5 or not isinstance(self._h5["events"], h5py.Group):
            raise RtdcFormatError(
                f"{self.path}: no 'events' group; this is not an RT-DC file"
            )
        self._events: h5py.Group = self._h5["events"]
        self._image = self._events.get(IMAGE_KEY)
        if require_images:
            if self._image is None:
                raise RtdcFormatError(
                    f"{self.path}: the file has no images (events/image); "
                    "AID needs images to train or classify"
                )
            if len(self._image) == 0:
                raise RtdcFormatError(f"{self.path}: the file has 0 events")
            if self._image.ndim not in (3, 4) or (
                self._image.ndim == 4 and self._image.shape[-1] != 3
            ):
                raise RtdcFormatError(
                    f"{self.path}: events/image has shape {self._image.shape}; "
                    "expected (N,H,W) gray or (N,H,W,3) RGB"
                )

    # -- context manager -------------------------------------------------
    def __enter__(self) -> RtdcFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the HDF5 file."""
        self._h5.close()

    # -- metadata --------------------------------------------------------
    @property
    def n_events(self) -> int:
        """Number of events, taken from ``len(events/image)`` (never ``index``)."""
        if self._image is not None:
            return int(len(self._image))
        lengths = [len(v) for v in self._events.values() if isinstance(v, h5py.Dataset)]
        return int(max(lengths)) if lengths else 0

    @property
    def image_shape(self) -> tuple[int, ...] | None:
        """Shape of one image, ``(H, W)`` or ``(H, W, 3)``; ``None`` without images."""
        return None if self._image is None else tuple(self._image.shape[1:])

    @property
    def is_rgb(self) -> bool:
        """Whether images are RGB ``(N, H, W, 3)``."""
        return self._image is not None and self._image.ndim == 4

    @property
    def pixel_size(self) -> float:
        """``imaging:pixel size`` in µm per pixel (1.0 when absent)."""
        value = self._h5.attrs.get("imaging:pixel size", 1.0)
        size = float(np.asarray(value).ravel()[0])
        return size if size > 0 else 1.0

    @property
    def attrs(self) -> dict[str, Any]:
        """Root attributes (``'section:key'`` names)."""
        return dict(self._h5.attrs)

    @property
    def scalar_features(self) -> tuple[str, ...]:
        """Names of 1-D per-event features (``area_um``, ``deform``, ...)."""
        n = self.n_events
        return tuple(
            sorted(
                k
                for k, v in self._events.items()
                if isinstance(v, h5py.Dataset) and v.ndim == 1 and len(v) == n
            )
        )

    def feature(
        self, name: str, indices: np.ndarray | slice | None = None
    ) -> np.ndarray:
        """Read a 1-D feature (all events, a slice, or sorted/unsorted indices)."""
        if name not in self._events:
            raise RtdcFormatError(f"{self.path}: no feature {name!r}")
        return _read(self._events[name], indices)

    # -- images ----------------------------------------------------------
    def images(self, indices: np.ndarray | slice | None = None) -> np.ndarray:
        """Read images of the given events as ``(n, H, W)`` or ``(n, H, W, 3)``."""
        if self._image is None:
            raise RtdcFormatError(f"{self.path}: the file has no images")
        return _read(self._image, indices)

    def centers_px(self, indices: np.ndarray | slice | None = None) -> np.ndarray:
        """Object centres ``(n, 2)`` as ``(x, y)`` pixels: ``pos / pixel size``.

        Files without ``pos_x``/``pos_y`` use the image centre.
        """
        n = len(_index_array(indices, self.n_events))
        if "pos_x" in self._events and "pos_y" in self._events:
            x = _read(self._events["pos_x"], indices).astype(np.float64)
            y = _read(self._events["pos_y"], indices).astype(np.float64)
            return np.stack([x, y], axis=1) / self.pixel_size
        height, width = self.image_shape[:2] if self.image_shape else (0, 0)
        return np.tile([width / 2.0, height / 2.0], (n, 1))

    def compression(self) -> str | None:
        """Compression filter of the image dataset (``gzip``, ``zstd``, ...)."""
        if self._image is None:
            return None
        if self._image.compression:
            return str(self._image.compression)
        filters = self._image.id.get_create_plist()
        names = []
        for i in range(filters.get_nfilters()):
            code = filters.get_filter(i)[0]
            names.append(
                {32015: "zstd", 4: "szip", 1: "gzip", 3: "fletcher32"}.get(
                    code, str(code)
                )
            )
        names = [n for n in names if n != "fletcher32"]
        return names[0] if names else None

    def info(self) -> RtdcInfo:
        """Summary for ``aid info``."""
        return RtdcInfo(
            path=str(self.path),
            events=self.n_events,
            image_shape=self.image_shape,
            image_dtype=None if self._image is None else str(self._image.dtype),
            pixel_size=self.pixel_size,
            features=self.scalar_features,
            compression=self.compression(),
        )


def _index_array(indices: np.ndarray | slice | None, n: int) -> np.ndarray:
    if indices is None:
        return np.arange(n)
    if isinstance(indices, slice):
        return np.arange(n)[indices]
    return np.asarray(indices, dtype=np.int64)


def _read(dataset: h5py.Dataset, indices: np.ndarray | slice | None) -> np.ndarray:
    """Read rows of ``dataset``; arbitrary (unsorted, repeated) indices allowed."""
    if indices is None:
        return dataset[()]
    if isinstance(indices, slice):
        return dataset[indices]
    idx = np.asarray(indices, dtype=np.int64)
    if idx.size == 0:
        return np.empty((0,) + dataset.shape[1:], dtype=dataset.dtype)
    if idx.min() < 0 or idx.max() >= len(dataset):
        raise RtdcFormatError(f"event index out of range 0..{len(dataset) - 1}")
    unique, inverse = np.unique(idx, return_inverse=True)
    span = unique[-1] - unique[0] + 1
    if span <= 4 * len(unique):
        # Dense selection: one contiguous read is much faster than fancy indexing.
        block = dataset[unique[0] : unique[-1] + 1]
        return block[idx - unique[0]]
    return dataset[unique][inverse]


def open_rtdc(path: str | Path) -> RtdcFile:
    """Open an ``.rtdc`` file that has images and at least one event."""
    return RtdcFile(path)


def rtdc_info(path: str | Path) -> RtdcInfo:
    """Summarise any ``.rtdc`` file, also one without images or events."""
    with RtdcFile(path, require_images=False) as f:
        return f.info()


def file_hash(path: str | Path) -> str:
    """AIDeveloper-compatible file hash.

    MD5 hex of (basename bytes + MD5 hex of the first <= 20 blocks of 65,536 bytes),
    used to find moved files and to record the data a run used.
    """
    path = Path(path)
    inner = hashlib.md5()
    with path.open("rb") as handle:
        for _ in range(20):
            block = handle.read(65536)
            if not block:
                break
            inner.update(block)
    return hashlib.md5(path.name.encode() + inner.hexdigest().encode()).hexdigest()
