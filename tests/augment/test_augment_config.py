import json
import math

import pytest

from aid.augment.config import AugmentConfig
from aid.errors import ConfigError


def test_defaults_are_aideveloper_values():
    cfg = AugmentConfig()
    assert (cfg.hflip, cfg.vflip) == (False, True)
    assert (cfg.rotation, cfg.width_shift, cfg.height_shift) == (3.0, 0.001, 0.001)
    assert (cfg.zoom, cfg.shear, cfg.affine_refresh_epochs) == (0.001, 0.005, 2)
    assert cfg.brightness_add == (-15.0, 15.0) and cfg.brightness_mult == (0.7, 1.3)
    assert (cfg.noise_mean, cfg.noise_scale) == (0.0, 3.0)
    assert cfg.contrast_on and cfg.contrast_range == (0.7, 1.3)
    assert not cfg.saturation_on and cfg.saturation_range == (0.7, 1.3)
    assert not cfg.hue_on and cfg.hue_delta == 0.08
    assert cfg.avg_blur_on and cfg.avg_blur_kernel == (0, 5)
    assert not cfg.gauss_blur_on and cfg.gauss_blur_kernel == (0, 5)
    assert not cfg.motion_blur_on
    assert cfg.motion_blur_kernel == (0, 5) and cfg.motion_blur_angle == (-10, 10)


def test_dict_round_trip_through_json():
    cfg = AugmentConfig(hflip=True, rotation=10, hue_on=True, avg_blur_kernel=(1, 3))
    raw = json.loads(json.dumps(cfg.to_dict()))
    assert raw["avg_blur_kernel"] == [1, 3]
    back = AugmentConfig.from_dict(raw)
    assert back == cfg
    assert isinstance(back.rotation, float) and back.avg_blur_kernel == (1, 3)


def test_partial_dict_keeps_defaults():
    cfg = AugmentConfig.from_dict({"rotation": 7})
    assert cfg.rotation == 7.0 and cfg.vflip is True


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"rotaton": 3}, "rotaton"),
        ({"rotation": math.nan}, "rotation"),
        ({"rotation": -1}, "rotation"),
        ({"rotation": "3"}, "rotation"),
        ({"hflip": 1}, "hflip"),
        ({"hue_delta": 0.6}, "hue_delta"),
        ({"brightness_add": [10, -10]}, "brightness_add"),
        ({"brightness_add": [-300, 0]}, "brightness_add"),
        ({"brightness_mult": [0.5]}, "brightness_mult"),
        ({"contrast_range": [0.5, math.inf]}, "contrast_range"),
        ({"avg_blur_kernel": [0, 2.5]}, "avg_blur_kernel"),
        ({"affine_refresh_epochs": 0}, "affine_refresh_epochs"),
        ({"noise_scale": True}, "noise_scale"),
    ],
)
def test_invalid_settings_name_the_key(raw, key):
    with pytest.raises(ConfigError, match=key):
        AugmentConfig.from_dict(raw)


def test_direct_construction_is_validated_too():
    with pytest.raises(ConfigError, match="shear"):
        AugmentConfig(shear=90.0)


def test_from_dict_rejects_non_mapping():
    with pytest.raises(ConfigError, match="mapping"):
        AugmentConfig.from_dict([("rotation", 3)])


def test_merged_applies_partial_changes_and_validates():
    cfg = AugmentConfig()
    changed = cfg.merged({"rotation": 5.0, "hue_on": True})
    assert changed.rotation == 5.0 and changed.hue_on
    assert changed.contrast_range == cfg.contrast_range
    assert cfg.rotation == 3.0  # the original is frozen and unchanged
    with pytest.raises(ConfigError, match="gauss_blur_kernel"):
        cfg.merged({"gauss_blur_kernel": [5, 1]})
    with pytest.raises(ConfigError, match="colour"):
        cfg.merged({"colour": 1})


def test_none_switches_everything_off():
    off = AugmentConfig.none()
    assert not off.any_affine
    assert not any(v for k, v in off.to_dict().items() if k.endswith("_on"))
    assert AugmentConfig().any_affine


def test_form_layout_names_every_setting_once():
    from dataclasses import fields

    from aid.augment.form_layout import LABELS, SECTIONS, switches

    names = [f.name for f in fields(AugmentConfig)]
    laid_out = [key for _, keys in SECTIONS for key in keys]
    assert sorted(laid_out) == sorted(names)  # each once, none unknown
    assert set(LABELS) == set(names) and all(LABELS.values())
    governed = switches()
    assert governed["noise_scale"] == "noise_on"
    assert governed["motion_blur_angle"] == "motion_blur_on"
    assert governed["brightness_mult"] == "brightness_on"
    # Every flag governs something, every governed setting follows its flag.
    flags = {name for name in names if name.endswith("_on")}
    assert set(governed.values()) == flags
    assert all(
        laid_out.index(flag) < laid_out.index(key) for key, flag in governed.items()
    )
    assert "rotation" not in governed and "hflip" not in governed
