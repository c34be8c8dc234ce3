"""Decode image files to uint8 arrays and fit them to one size.

OpenCV decodes (fast); Pillow is the fallback for modes OpenCV cannot read.
Results are ``(H, W)`` gray or ``(H, W, 3)`` RGB uint8.
"""

from __future__ import annotations

import io
from typing import Literal

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from aid.data.preprocess import INTERPOLATIONS, Interpolation, crop_window, to_uint8
from aid.errors import ImageImportError

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"})
GRAY_PIL_MODES = frozenset(
    {"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"}
)


def decode_image(data: bytes, *, name: str = "") -> np.ndarray:
    """Decode image bytes to uint8 ``(H, W)`` gray or ``(H, W, 3)`` RGB.

    16-bit images are scaled by ``>> 8``; alpha is dropped; palette images are
    expanded. Raises :class:`ImageImportError` for undecodable or truncated data.
    """
    if name.lower().endswith((".jpg", ".jpeg")) and b"\xff\xd9" not in data[-1024:]:
        raise ImageImportError(f"{name}: truncated JPEG (no end-of-image marker)")
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None:
        image = _decode_pil(data, name)
    elif image.ndim == 3:
        code = {3: cv2.COLOR_BGR2RGB, 4: cv2.COLOR_BGRA2RGB}.get(image.shape[2])
        image = cv2.cvtColor(image, code) if code is not None else image[..., 0]
    return to_uint8(image)


def _decode_pil(data: bytes, name: str) -> np.ndarray:
    try:
        with Image.open(io.BytesIO(data)) as pil:
            pil.load()
            if pil.mode not in GRAY_PIL_MODES:
                return np.asarray(pil.convert("RGB"))
            array = np.asarray(
                pil.convert("I;16") if pil.mode.startswith("I;16") else pil
            )
            return array if array.ndim == 2 else array[..., 0]
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError) as exc:
        raise ImageImportError(f"{name}: cannot decode image ({exc})") from exc


def peek_image(data: bytes) -> tuple[tuple[int, int], bool] | None:
    """``((H, W), is_rgb)`` from the image header, or ``None`` if unreadable."""
    try:
        with Image.open(io.BytesIO(data)) as pil:
            return (pil.height, pil.width), pil.mode not in GRAY_PIL_MODES
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError):
        return None


def fit_image(
    image: np.ndarray,
    shape: tuple[int, int],
    resize: Literal["crop", "resize"],
    interpolation: Interpolation,
) -> np.ndarray:
    """Bring an ``(H, W[, C])`` image to ``shape`` by centre crop/pad or by resizing."""
    if image.shape[:2] == shape:
        return image
    height, width = shape
    if resize == "resize":
        out = cv2.resize(
            image, (width, height), interpolation=INTERPOLATIONS[interpolation]
        )
        return out.reshape(shape + image.shape[2:])
    hwc = image if image.ndim == 3 else image[..., np.newaxis]
    if height != width:
        raise ImageImportError("centre crop/pad needs a square target size")
    h, w = hwc.shape[:2]
    out = crop_window(hwc, w / 2.0, h / 2.0, height, "constant")
    return out.reshape(shape + image.shape[2:])
