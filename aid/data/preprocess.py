"""Preprocessing shared by training, assessment, prediction and export.

The pipeline follows AIDeveloper (see ``aideveloper-behaviour.md`` §5):
channel conversion, optional zoom (the centre scaled too), a square crop around
the object centre with a padding mode, then normalisation to float32.

Image arrays are channel-last and 4-D everywhere in AID: ``(N, H, W, C)`` with
``C`` 1 (gray) or 3 (RGB), dtype uint8 (or uint16 before conversion).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

import cv2
import numpy as np

from aid.errors import PreprocessError

ColorMode = Literal["gray", "rgb"]
Normalization = Literal["none", "div255", "zscore_image", "zscore_train"]
Padding = Literal["constant", "edge", "reflect", "symmetric", "wrap"]
Interpolation = Literal["nearest", "linear", "area", "cubic", "lanczos"]

COLOR_MODES: tuple[str, ...] = ("gray", "rgb")
NORMALIZATIONS: tuple[str, ...] = ("none", "div255", "zscore_image", "zscore_train")
PADDINGS: tuple[str, ...] = ("constant", "edge", "reflect", "symmetric", "wrap")
INTERPOLATIONS: dict[str, int] = {
    "nearest": cv2.INTER_NEAREST,
    "linear": cv2.INTER_LINEAR,
    "area": cv2.INTER_AREA,
    "cubic": cv2.INTER_CUBIC,
    "lanczos": cv2.INTER_LANCZOS4,
}
#: OpenCV border types for each padding mode ("reflect" does not repeat the edge).
BORDERS: dict[str, int] = {
    "constant": cv2.BORDER_CONSTANT,
    "edge": cv2.BORDER_REPLICATE,
    "reflect": cv2.BORDER_REFLECT_101,
    "symmetric": cv2.BORDER_REFLECT,
    "wrap": cv2.BORDER_WRAP,
}
#: Luminosity weights AIDeveloper uses for RGB -> gray (result truncated to uint8).
GRAY_WEIGHTS = (0.21, 0.72, 0.07)
#: Standard deviations below this are replaced by it (AIDeveloper uses 1e-4).
MIN_STD = 1e-4


@dataclass(frozen=True)
class Preprocessing:
    """How raw event images become model inputs.

    Parameters
    ----------
    input_size
        Side of the square model input in pixels.
    color_mode
        ``"gray"`` (1 channel) or ``"rgb"`` (3 channels).
    normalization
        ``"none"``, ``"div255"``, ``"zscore_image"`` (each image by its own mean
        and std) or ``"zscore_train"`` (by ``mean``/``std`` of the training data).
    padding
        How pixels outside the image are filled when the crop window leaves it.
    zoom_interpolation
        Interpolation used when a file's zoom factor is not 1.
    mean, std
        Training-set statistics; required for ``"zscore_train"``.
    """

    input_size: int = 32
    color_mode: ColorMode = "gray"
    normalization: Normalization = "div255"
    padding: Padding = "constant"
    zoom_interpolation: Interpolation = "nearest"
    mean: float | None = None
    std: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.input_size, int) or self.input_size < 1:
            raise PreprocessError(
                f"input size must be a positive integer, got {self.input_size!r}"
            )
        _check_choice("color mode", self.color_mode, COLOR_MODES)
        _check_choice("normalization", self.normalization, NORMALIZATIONS)
        _check_choice("padding", self.padding, PADDINGS)
        _check_choice(
            "zoom interpolation", self.zoom_interpolation, tuple(INTERPOLATIONS)
        )

    @property
    def channels(self) -> int:
        """Number of image channels the model sees."""
        return 1 if self.color_mode == "gray" else 3

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """Model input shape ``(H, W, C)``."""
        return (self.input_size, self.input_size, self.channels)

    def with_stats(self, mean: float, std: float) -> Preprocessing:
        """Return a copy carrying training-set statistics."""
        return replace(self, mean=float(mean), std=float(std))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dictionary."""
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Preprocessing:
        """Build from :meth:`to_dict` output; unknown keys are an error."""
        unknown = set(raw) - set(cls.__dataclass_fields__)
        if unknown:
            raise PreprocessError(f"unknown preprocessing keys: {sorted(unknown)}")
        return cls(**raw)


def _check_choice(what: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise PreprocessError(
            f"{what} must be one of {', '.join(choices)}; got {value!r}"
        )


def as_nhwc(images: np.ndarray) -> np.ndarray:
    """Return ``images`` as 4-D ``(N, H, W, C)``; 3-D input is gray ``(N, H, W)``."""
    if images.ndim == 3:
        return images[..., np.newaxis]
    if images.ndim == 4 and images.shape[-1] in (1, 3):
        return images
    raise PreprocessError(
        f"expected images (N,H,W) or (N,H,W,1|3), got shape {images.shape}"
    )


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Scale 16-bit (or other integer) images to uint8 by their dtype's range."""
    if images.dtype == np.uint8:
        return images
    if images.dtype == np.uint16:
        return (images >> 8).astype(np.uint8)
    if np.issubdtype(images.dtype, np.floating):
        return np.clip(np.nan_to_num(images), 0, 255).astype(np.uint8)
    return np.clip(images, 0, 255).astype(np.uint8)


def convert_color(images: np.ndarray, color_mode: ColorMode) -> np.ndarray:
    """Convert ``(N,H,W[,C])`` uint8 images to the channels of ``color_mode``.

    RGB -> gray uses ``0.21 R + 0.72 G + 0.07 B`` truncated to uint8 (AIDeveloper's
    formula, needed for its models); gray -> RGB stacks three copies.
    """
    images = as_nhwc(images)
    channels = images.shape[-1]
    if color_mode == "gray":
        if channels == 1:
            return images
        # float64, summed left to right as AIDeveloper does, so truncation matches
        # bit for bit (a dot product rounds differently: white would give 255, not 254)
        r, g, b = GRAY_WEIGHTS
        gray = r * images[..., 0:1] + g * images[..., 1:2] + b * images[..., 2:3]
        return gray.astype(np.uint8)
    if channels == 3:
        return images
    return np.repeat(images, 3, axis=-1)


def zoom_image(
    image: np.ndarray, factor: float, interpolation: Interpolation
) -> np.ndarray:
    """Resize one ``(H, W, C)`` image by ``factor`` in both directions."""
    if factor == 1.0:
        return image
    if factor <= 0 or not math.isfinite(factor):
        raise PreprocessError(f"zoom factor must be positive, got {factor}")
    zoomed = cv2.resize(
        image, None, fx=factor, fy=factor, interpolation=INTERPOLATIONS[interpolation]
    )
    return zoomed.reshape(zoomed.shape[:2] + (image.shape[-1],))


def crop_window(
    image: np.ndarray, cx: float, cy: float, size: int, padding: Padding
) -> np.ndarray:
    """Cut a ``size`` x ``size`` window centred at ``(cx, cy)`` from ``(H, W, C)``.

    The window's corner is ``round(c - size / 2)`` (half to even, as AIDeveloper);
    parts outside the image are filled according to ``padding``.
    """
    height, width, channels = image.shape
    x1 = int(np.round(cx - size / 2.0))
    y1 = int(np.round(cy - size / 2.0))
    x2, y2 = x1 + size, y1 + size
    if x1 >= 0 and y1 >= 0 and x2 <= width and y2 <= height:
        return image[y1:y2, x1:x2]
    pad_left, pad_top = max(0, -x1), max(0, -y1)
    pad_right, pad_bottom = max(0, x2 - width), max(0, y2 - height)
    inner = image[max(0, y1) : min(height, y2), max(0, x1) : min(width, x2)]
    if inner.size == 0:
        # The window misses the image: nothing to pad from, so zeros.
        return np.zeros((size, size, channels), dtype=image.dtype)
    if padding in ("reflect", "symmetric", "wrap") and padding_too_large(
        inner.shape, (pad_top, pad_bottom, pad_left, pad_right)
    ):
        # OpenCV cannot mirror more than the image holds; numpy repeats the mirroring.
        return _pad_np(inner, -pad_left, -pad_top, size, padding)
    padded = cv2.copyMakeBorder(
        np.ascontiguousarray(inner),
        pad_top,
        pad_bottom,
        pad_left,
        pad_right,
        BORDERS[padding],
        value=0,
    )
    return padded.reshape(size, size, channels)


def padding_too_large(shape: tuple[int, ...], pads: tuple[int, int, int, int]) -> bool:
    """Whether OpenCV's mirror modes cannot produce ``pads`` around ``shape``."""
    top, bottom, left, right = pads
    return max(top, bottom) >= shape[0] or max(left, right) >= shape[1]


def _pad_np(
    image: np.ndarray, x1: int, y1: int, size: int, padding: Padding
) -> np.ndarray:
    """Slow but general crop/pad with numpy for windows far outside the image."""
    height, width, _ = image.shape
    pad = size + max(abs(x1), abs(y1), height, width)
    big = np.pad(image, ((pad, pad), (pad, pad), (0, 0)), mode=padding)
    return big[y1 + pad : y1 + pad + size, x1 + pad : x1 + pad + size]


def crop_batch(
    images: np.ndarray,
    centers_px: np.ndarray,
    size: int,
    padding: Padding = "constant",
    zoom: float = 1.0,
    interpolation: Interpolation = "nearest",
) -> np.ndarray:
    """Crop each image of ``(N,H,W,C)`` around its ``(x, y)`` centre in pixels.

    With ``zoom`` != 1 each image is resized first and its centre scaled too.
    Returns ``(N, size, size, C)`` of the input dtype.
    """
    images = as_nhwc(images)
    centers = np.asarray(centers_px, dtype=np.float64).reshape(-1, 2)
    if len(centers) != len(images):
        raise PreprocessError(f"{len(images)} images but {len(centers)} centres")
    if zoom == 1.0 and len(centers) and (centers == centers[0]).all():
        shared = _crop_shared_window(images, centers[0], size, padding)
        if shared is not None:
            return shared
    out = np.empty((len(images), size, size, images.shape[-1]), dtype=images.dtype)
    for i, (image, (cx, cy)) in enumerate(zip(images, centers, strict=True)):
        if zoom != 1.0:
            image = zoom_image(image, zoom, interpolation)
            cx, cy = cx * zoom, cy * zoom
        out[i] = crop_window(image, cx, cy, size, padding)
    return out


def _crop_shared_window(
    images: np.ndarray, center: np.ndarray, size: int, padding: Padding
) -> np.ndarray | None:
    """Crop all images at one common centre in one vectorised step.

    Gives exactly what :func:`crop_window` gives per image (the padding is
    applied to the part of the window inside the image); returns ``None``
    where that needs the per-image fallback.
    """
    _, height, width, _ = images.shape
    x1 = int(np.round(center[0] - size / 2.0))
    y1 = int(np.round(center[1] - size / 2.0))
    x2, y2 = x1 + size, y1 + size
    inner = images[:, max(0, y1) : min(height, y2), max(0, x1) : min(width, x2)]
    pads = (max(0, -y1), max(0, y2 - height), max(0, -x1), max(0, x2 - width))
    if not any(pads):
        return inner
    if inner.size == 0:
        return np.zeros((len(images), size, size, images.shape[-1]), dtype=images.dtype)
    if padding in ("reflect", "symmetric", "wrap") and padding_too_large(
        inner.shape[1:], pads
    ):
        return None
    top, bottom, left, right = pads
    return np.pad(inner, ((0, 0), (top, bottom), (left, right), (0, 0)), mode=padding)


def oversize(input_size: int) -> int:
    """Training crop size leaving room for rotation: ``ceil(sqrt(2) * s / 2) * 2``."""
    return int(math.ceil(math.sqrt(2.0) * input_size / 2.0) * 2)


def normalize(images: np.ndarray, prep: Preprocessing) -> np.ndarray:
    """Normalise ``(N,H,W,C)`` pixels to float32 as ``prep.normalization`` says."""
    x = as_nhwc(images).astype(np.float32)
    method = prep.normalization
    if method == "none":
        return x
    if method == "div255":
        return x / np.float32(255.0)
    if method == "zscore_image":
        mean = x.mean(axis=(1, 2, 3), keepdims=True)
        std = x.std(axis=(1, 2, 3), keepdims=True)
        return (x - mean) / np.maximum(std, np.float32(MIN_STD))
    if prep.mean is None or prep.std is None:
        raise PreprocessError("training-set z-score needs the training mean and std")
    return (x - np.float32(prep.mean)) / np.float32(max(prep.std, MIN_STD))


def training_stats(images: np.ndarray) -> tuple[float, float]:
    """Pooled mean and std of unaugmented training pixels (for ``zscore_train``)."""
    x = np.asarray(images, dtype=np.float64)
    return float(x.mean()), float(max(x.std(), MIN_STD))
