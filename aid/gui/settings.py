"""Persistent application settings: a versioned JSON file in the user config dir.

Settings are domain-named (``last_folders.data``, ``theme``), never widget names.
Each schema change adds one migration ``v -> v+1`` (see :data:`MIGRATIONS`),
unit-tested in ``tests/gui/test_settings.py``. No Qt here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from aid.errors import ConfigError

SCHEMA_VERSION = 2
SETTINGS_FILE = "settings.json"
THEMES = ("light", "dark")

Migration = Callable[[dict[str, Any]], dict[str, Any]]
MIGRATIONS: dict[int, Migration] = {}


def migrates_from(version: int) -> Callable[[Migration], Migration]:
    """Register the migration that turns schema ``version`` into ``version + 1``."""

    def decorator(func: Migration) -> Migration:
        MIGRATIONS[version] = func
        return func

    return decorator


@migrates_from(1)
def _single_folder_to_named_folders(raw: dict[str, Any]) -> dict[str, Any]:
    """v1 kept one ``last_folder``; v2 remembers one folder per purpose."""
    folder = raw.pop("last_folder", "")
    raw["last_folders"] = (
        {"data": folder, "session": folder, "runs": folder} if folder else {}
    )
    raw["theme"] = "dark" if raw.pop("dark_mode", False) else "light"
    return raw


@dataclass(frozen=True)
class AppSettings:
    """What the app remembers between sessions.

    Parameters
    ----------
    theme
        ``"light"`` or ``"dark"``.
    last_folders
        Last folder used per purpose (``data``, ``session``, ``runs``, ``models``).
    window_geometry
        Hex-encoded ``QWidget.saveGeometry()`` bytes (empty: default size).
    window_state
        Hex-encoded ``QMainWindow.saveState()`` bytes.
    show_tooltips
        Whether explanatory tooltips are shown.
    """

    theme: str = "light"
    last_folders: dict[str, str] = field(default_factory=dict)
    window_geometry: str = ""
    window_state: str = ""
    show_tooltips: bool = True

    def __post_init__(self) -> None:
        if self.theme not in THEMES:
            raise ConfigError(f"theme must be one of {THEMES}, got {self.theme!r}")

    def last_folder(self, purpose: str) -> str:
        """Last folder used for ``purpose``, falling back to the home folder."""
        folder = self.last_folders.get(purpose, "")
        return folder if folder and Path(folder).is_dir() else str(Path.home())

    def with_folder(self, purpose: str, folder: str | Path) -> AppSettings:
        """Copy remembering ``folder`` for ``purpose``."""
        return replace(self, last_folders={**self.last_folders, purpose: str(folder)})

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dictionary including ``schema_version``."""
        return {"schema_version": SCHEMA_VERSION, **asdict(self)}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> AppSettings:
        """Build from a current-version dictionary; unknown keys are dropped."""
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
        try:
            return cls(**known)
        except TypeError as exc:
            raise ConfigError(f"invalid settings: {exc}") from exc


def config_dir() -> Path:
    """``$AID_CONFIG_DIR`` or the platform's user config folder for AID."""
    env = os.environ.get("AID_CONFIG_DIR")
    if env:
        return Path(env)
    from platformdirs import user_config_dir

    return Path(user_config_dir("aid", appauthor=False))


def settings_path() -> Path:
    """Where the settings file lives."""
    return config_dir() / SETTINGS_FILE


def migrate(raw: dict[str, Any]) -> dict[str, Any]:
    """Apply migrations until ``raw`` has the current schema version."""
    version = int(raw.get("schema_version", 1))
    if version > SCHEMA_VERSION:
        raise ConfigError(
            f"settings were written by a newer AID (schema {version} > "
            f"{SCHEMA_VERSION})"
        )
    while version < SCHEMA_VERSION:
        raw = MIGRATIONS[version](dict(raw))
        version += 1
    raw["schema_version"] = version
    return raw


def load_settings(path: Path | None = None) -> AppSettings:
    """Read settings; a missing or unreadable file gives the defaults.

    A broken file must never stop the app from starting, so read errors fall
    back to defaults (the file is overwritten on the next save).
    """
    path = path or settings_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            return AppSettings()
        return AppSettings.from_dict(migrate(raw))
    except (OSError, ValueError, ConfigError):
        return AppSettings()


def save_settings(settings: AppSettings, path: Path | None = None) -> Path:
    """Write ``settings`` atomically (temp file, then replace)."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(settings.to_dict(), indent=2), encoding="utf-8")
    tmp.replace(path)
    return path
