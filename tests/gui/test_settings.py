"""Versioned settings file: round trip, migration, bad files, window close saves."""

from __future__ import annotations

import json

import pytest

from aid.errors import ConfigError
from aid.gui.settings import (
    SCHEMA_VERSION,
    AppSettings,
    load_settings,
    migrate,
    save_settings,
    settings_path,
)


def test_settings_live_in_aid_config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("AID_CONFIG_DIR", str(tmp_path / "cfg"))
    assert settings_path() == tmp_path / "cfg" / "settings.json"


def test_round_trip(tmp_path):
    settings = AppSettings(theme="dark").with_folder("data", tmp_path)
    path = save_settings(settings, tmp_path / "s.json")
    raw = json.loads(path.read_text())
    assert raw["schema_version"] == SCHEMA_VERSION
    assert load_settings(path) == settings
    assert load_settings(path).last_folder("data") == str(tmp_path)


def test_migration_from_version_1(tmp_path):
    v1 = {"schema_version": 1, "last_folder": str(tmp_path), "dark_mode": True}
    migrated = migrate(dict(v1))
    assert migrated["schema_version"] == SCHEMA_VERSION
    assert migrated["theme"] == "dark"
    assert migrated["last_folders"]["session"] == str(tmp_path)
    path = tmp_path / "old.json"
    path.write_text(json.dumps(v1))
    assert load_settings(path).last_folder("data") == str(tmp_path)


def test_newer_schema_is_refused_and_broken_files_give_defaults(tmp_path):
    with pytest.raises(ConfigError, match="newer"):
        migrate({"schema_version": SCHEMA_VERSION + 1})
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    assert load_settings(path) == AppSettings()
    path.write_text(json.dumps({"schema_version": SCHEMA_VERSION, "theme": "purple"}))
    assert load_settings(path) == AppSettings()


def test_bad_theme_is_a_config_error():
    with pytest.raises(ConfigError, match="theme"):
        AppSettings(theme="purple")


@pytest.mark.gui
def test_closing_the_window_saves_geometry_and_folders(qtbot, tmp_path):
    from aid.gui.main_window import MainWindow

    window = MainWindow(AppSettings().with_folder("runs", tmp_path))
    qtbot.addWidget(window)
    window.resize(1300, 900)
    size = (window.width(), window.height())
    window.show()
    window.close()
    saved = load_settings()
    assert saved.window_geometry and saved.last_folder("runs") == str(tmp_path)
    again = MainWindow(saved)
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == size
