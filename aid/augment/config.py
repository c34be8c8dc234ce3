"""Typed, validated augmentation settings (AIDeveloper's options, snake_case).

The defaults are AIDeveloper's shipped ones (``aideveloper-behaviour.md`` §4).
Every operation can be switched off: flips are booleans, the affine amounts are
off at 0, and every intensity operation has an ``*_on`` flag. Intensity values
(brightness add, noise, contrast centre) are in 8-bit grey levels; 16-bit images
get them scaled to their range.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from aid.errors import ConfigError

FloatRange = tuple[float, float]
IntRange = tuple[int, int]

#: Allowed closed intervals for scalar values and for both ends of ranges.
_LIMITS: dict[str, tuple[float, float]] = {
    "rotation": (0.0, 180.0),
    "width_shift": (0.0, 10_000.0),
    "height_shift": (0.0, 10_000.0),
    "zoom": (0.0, 100.0),
    "shear": (0.0, 45.0),
    "affine_refresh_epochs": (1, 1_000_000),
    "brightness_add": (-255.0, 255.0),
    "brightness_mult": (0.0, 100.0),
    "noise_mean": (-255.0, 255.0),
    "noise_scale": (0.0, 255.0),
    "contrast_range": (0.0, 100.0),
    "saturation_range": (0.0, 100.0),
    "hue_delta": (0.0, 0.5),
    "avg_blur_kernel": (0, 255),
    "gauss_blur_kernel": (0, 255),
    "motion_blur_kernel": (0, 255),
    "motion_blur_angle": (-360, 360),
}


@dataclass(frozen=True)
class AugmentConfig:
    """Random augmentation applied to each training image.

    Parameters
    ----------
    hflip, vflip
        Flip each image left-right / up-down with probability 0.5 (independently).
    rotation
        Rotation angle ~ U(-rotation, rotation) in degrees; 0 is off.
    width_shift, height_shift
        Shift ~ U(-s, s); ``s < 1`` is a fraction of the image size, else pixels.
    zoom
        ``z < 1``: factor ~ U(1 - z, 1 + z); ``z >= 1``: U(1 / z, z); 0 is off.
    zoom_isotropic
        One factor for both axes (AIDeveloper drew one per axis).
    shear
        Shear angle ~ U(-shear, shear) in degrees on both off-diagonals; 0 is off.
    affine_refresh_epochs
        Reuse an affine-augmented sample for this many epochs.
    brightness_on, brightness_add, brightness_mult
        ``out = mult * image + add + noise`` with per-image ``add``, ``mult``.
    noise_on, noise_mean, noise_scale
        Gaussian pixel noise N(mean, scale), fresh for every pixel.
    contrast_on, contrast_range
        ``out = f * image + 128 * (1 - f)``, ``f`` ~ U(range).
    saturation_on, saturation_range
        HSV saturation times U(range); RGB only, gray images are left unchanged.
    hue_on, hue_delta
        Hue turned by U(-delta, delta) of a full circle; RGB only.
    avg_blur_on, avg_blur_kernel
        Box blur with kernel size ~ randint(min, max) inclusive.
    gauss_blur_on, gauss_blur_kernel
        Gaussian blur with kernel size ~ randint(min, max) inclusive, made odd.
    motion_blur_on, motion_blur_kernel, motion_blur_angle
        Line kernel of random size and random integer angle in degrees.
    """

    hflip: bool = False
    vflip: bool = True
    rotation: float = 3.0
    width_shift: float = 0.001
    height_shift: float = 0.001
    zoom: float = 0.001
    zoom_isotropic: bool = True
    shear: float = 0.005
    affine_refresh_epochs: int = 2
    brightness_on: bool = True
    brightness_add: FloatRange = (-15.0, 15.0)
    brightness_mult: FloatRange = (0.7, 1.3)
    noise_on: bool = True
    noise_mean: float = 0.0
    noise_scale: float = 3.0
    contrast_on: bool = True
    contrast_range: FloatRange = (0.7, 1.3)
    saturation_on: bool = False
    saturation_range: FloatRange = (0.7, 1.3)
    hue_on: bool = False
    hue_delta: float = 0.08
    avg_blur_on: bool = True
    avg_blur_kernel: IntRange = (0, 5)
    gauss_blur_on: bool = False
    gauss_blur_kernel: IntRange = (0, 5)
    motion_blur_on: bool = False
    motion_blur_kernel: IntRange = (0, 5)
    motion_blur_angle: IntRange = (-10, 10)

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            checked = _check_value(field.name, value, _field_kind(field.name))
            object.__setattr__(self, field.name, checked)

    def affine_due(self, epoch: int) -> bool:
        """Whether epoch ``epoch`` (0-based) needs a fresh affine sample.

        The affine result is reused for ``affine_refresh_epochs`` epochs.
        """
        return epoch % self.affine_refresh_epochs == 0

    @property
    def any_affine(self) -> bool:
        """Whether any flip, rotation, shift, zoom or shear is switched on."""
        return bool(
            self.hflip
            or self.vflip
            or self.rotation
            or self.width_shift
            or self.height_shift
            or self.zoom
            or self.shear
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dictionary (ranges as two-element lists)."""
        return {
            key: list(value) if isinstance(value, tuple) else value
            for key, value in asdict(self).items()
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> AugmentConfig:
        """Build and validate from a (possibly partial) dictionary.

        Missing keys keep their defaults.

        Raises
        ------
        ConfigError
            For a key that is not a setting, a wrong type, NaN or a value out of
            range; the message names the key.
        """
        if not isinstance(raw, dict):
            raise ConfigError(f"augmentation settings must be a mapping, got {raw!r}")
        unknown = sorted(set(raw) - {f.name for f in fields(cls)})
        if unknown:
            raise ConfigError(f"unknown augmentation settings: {', '.join(unknown)}")
        return cls(**raw)

    def merged(self, changes: dict[str, Any]) -> AugmentConfig:
        """Return a copy with ``changes`` applied and validated (live updates)."""
        return AugmentConfig.from_dict({**self.to_dict(), **changes})

    @classmethod
    def none(cls) -> AugmentConfig:
        """Return settings with every operation off (augmentation is the identity)."""
        off = {f.name: False for f in fields(cls) if f.name.endswith("_on")}
        return replace(
            cls(),
            hflip=False,
            vflip=False,
            rotation=0.0,
            width_shift=0.0,
            height_shift=0.0,
            zoom=0.0,
            shear=0.0,
            **off,
        )


def _field_kind(name: str) -> str:
    """``bool``, ``int``, ``float``, ``int_range`` or ``float_range`` for a field."""
    default = getattr(AugmentConfig, name)
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, tuple):
        return "int_range" if isinstance(default[0], int) else "float_range"
    return "int" if isinstance(default, int) else "float"


def _check_value(name: str, value: Any, kind: str) -> Any:
    """Validate one setting and return it in canonical form (tuples, floats)."""
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError(
                f"augmentation setting {name} must be true or false, got {value!r}"
            )
        return value
    if kind.endswith("_range"):
        if not isinstance(value, (tuple, list)) or len(value) != 2:
            raise ConfigError(
                f"augmentation setting {name} must be a pair [min, max], got {value!r}"
            )
        scalar = kind.removesuffix("_range")
        low, high = (_check_number(name, item, scalar) for item in value)
        if low > high:
            raise ConfigError(
                f"augmentation setting {name}: min {low} is above max {high}"
            )
        return (low, high)
    return _check_number(name, value, kind)


def _check_number(name: str, value: Any, kind: str) -> float | int:
    """Check that ``value`` is a finite number of ``kind`` within the limits."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(
            f"augmentation setting {name} must be a number, got {value!r}"
        )
    if not math.isfinite(value):
        raise ConfigError(f"augmentation setting {name} must be finite, got {value!r}")
    if kind == "int":
        if value != int(value):
            raise ConfigError(
                f"augmentation setting {name} must be a whole number, got {value!r}"
            )
        value = int(value)
    else:
        value = float(value)
    low, high = _LIMITS[name]
    if not low <= value <= high:
        raise ConfigError(
            f"augmentation setting {name} must be between {low:g} and {high:g}, "
            f"got {value!r}"
        )
    return value
