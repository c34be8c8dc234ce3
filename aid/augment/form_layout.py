"""How the augmentation settings read in a form: sections, labels, switches.

Plain data about :class:`aid.augment.config.AugmentConfig` for any front end
(the window's settings page and its live-run form use it).
"""

from __future__ import annotations

import re
from dataclasses import fields

from aid.augment.config import AugmentConfig

#: How the settings are laid out in a form: (section title, keys in order).
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Geometry",
        (
            "hflip",
            "vflip",
            "rotation",
            "width_shift",
            "height_shift",
            "zoom",
            "zoom_isotropic",
            "shear",
            "affine_refresh_epochs",
        ),
    ),
    (
        "Brightness and noise",
        (
            "brightness_on",
            "brightness_add",
            "brightness_mult",
            "noise_on",
            "noise_mean",
            "noise_scale",
        ),
    ),
    (
        "Contrast and colour",
        (
            "contrast_on",
            "contrast_range",
            "saturation_on",
            "saturation_range",
            "hue_on",
            "hue_delta",
        ),
    ),
    (
        "Blur",
        (
            "avg_blur_on",
            "avg_blur_kernel",
            "gauss_blur_on",
            "gauss_blur_kernel",
            "motion_blur_on",
            "motion_blur_kernel",
            "motion_blur_angle",
        ),
    ),
)
#: Plain-language name of each setting, with its unit.
LABELS: dict[str, str] = {
    "hflip": "Flip left-right",
    "vflip": "Flip up-down",
    "rotation": "Rotation (± degrees)",
    "width_shift": "Horizontal shift (±)",
    "height_shift": "Vertical shift (±)",
    "zoom": "Zoom (±)",
    "zoom_isotropic": "Same zoom in x and y",
    "shear": "Shear (± degrees)",
    "affine_refresh_epochs": "Keep geometry (epochs)",
    "brightness_on": "Brightness",
    "brightness_add": "Add (grey levels)",
    "brightness_mult": "Multiply by",
    "noise_on": "Gaussian noise",
    "noise_mean": "Mean (grey levels)",
    "noise_scale": "Standard deviation",
    "contrast_on": "Contrast",
    "contrast_range": "Factor",
    "saturation_on": "Saturation (RGB only)",
    "saturation_range": "Factor",
    "hue_on": "Hue (RGB only)",
    "hue_delta": "Turn (± part of a circle)",
    "avg_blur_on": "Average blur",
    "avg_blur_kernel": "Kernel size (px)",
    "gauss_blur_on": "Gaussian blur",
    "gauss_blur_kernel": "Kernel size (px)",
    "motion_blur_on": "Motion blur",
    "motion_blur_kernel": "Length (px)",
    "motion_blur_angle": "Angle (degrees)",
}


def switches() -> dict[str, str]:
    """Map each setting an ``*_on`` flag governs to that flag.

    ``noise_scale`` is governed by ``noise_on``, ``motion_blur_angle`` by
    ``motion_blur_on``: the flag whose name without ``_on`` starts the setting's.
    """
    names = [f.name for f in fields(AugmentConfig)]
    flags = [name.removesuffix("_on") for name in names if name.endswith("_on")]
    result = {}
    for name in names:
        owners = [flag for flag in flags if name.startswith(flag + "_")]
        if owners and not name.endswith("_on"):
            result[name] = max(owners, key=len) + "_on"
    return result


_SETTING = re.compile(r"augmentation setting (\w+)")


def readable(message: str) -> str:
    """``message`` (e.g. a ``ConfigError``'s) naming settings by their labels.

    ``augmentation setting contrast_range must ...`` becomes ``Augmentation
    setting 'Contrast: Factor' must ...``: what the form shows, with the
    operation a row belongs to.
    """
    governed = switches()

    def label(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in LABELS:
            return match.group(0)
        text = LABELS[key]
        if key in governed:
            text = f"{LABELS[governed[key]]}: {text}"
        return f"Augmentation setting '{text}'"

    return _SETTING.sub(label, message)
