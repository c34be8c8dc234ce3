"""Paths and the editable model zoo of a frozen (PyInstaller) build.

In the one-folder build the code lives in an archive inside the bundle, but the
built-in model zoo ships as a plain ``model_zoo.py`` next to the executable so
users can edit it. :func:`install_editable_zoo` (called by the bundle's runtime
hook before any ``aid`` code runs) makes ``import aid.model_zoo`` - and
``importlib.reload`` of it - read that file. When the file has been removed, the
copy frozen into the archive is used instead.

Nothing here imports Qt, Keras or TensorFlow.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

#: Module whose source file stays editable in the frozen app.
ZOO_MODULE = "aid.model_zoo"
#: File name of the editable zoo next to the executable.
ZOO_FILE_NAME = "model_zoo.py"


def is_frozen() -> bool:
    """Whether AID runs from a PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


def bundle_dir() -> Path:
    """Folder holding AID's code and data files.

    The bundle's contents folder (``sys._MEIPASS``) when frozen, otherwise the
    folder that contains the ``aid`` package (the source tree or site-packages).
    """
    if is_frozen():
        return Path(sys._MEIPASS).resolve()  # type: ignore[attr-defined]
    return Path(__file__).resolve().parent.parent


def executable_dir() -> Path | None:
    """Folder of the frozen executable, or ``None`` when not frozen."""
    return Path(sys.executable).resolve().parent if is_frozen() else None


def editable_zoo_path() -> Path | None:
    """Return the user-editable ``model_zoo.py`` next to the frozen executable.

    Returns
    -------
    Path or None
        The file when AID is frozen and the file exists; ``None`` otherwise
        (running from source, where ``aid/model_zoo.py`` itself is editable,
        or the file was removed and the frozen copy is used).
    """
    folder = executable_dir()
    if folder is None:
        return None
    candidate = folder / ZOO_FILE_NAME
    return candidate if candidate.is_file() else None


class EditableZooFinder(importlib.abc.MetaPathFinder):
    """Import :data:`ZOO_MODULE` from a plain source file.

    Parameters
    ----------
    path
        The ``.py`` file to load as ``aid.model_zoo``. It is looked up on every
        import and reload, so an edited file is read again and a removed file
        falls back to the normal import system.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path).resolve()

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        """Spec for :data:`ZOO_MODULE` from :attr:`path`; ``None`` for others."""
        if fullname != ZOO_MODULE or not self.path.is_file():
            return None
        # SourceFileLoader compares the file's mtime and size with its bytecode
        # cache, so an edit is never hidden by a stale .pyc
        return importlib.util.spec_from_file_location(fullname, self.path)


def install_editable_zoo(path: Path | None = None) -> EditableZooFinder | None:
    """Make ``import aid.model_zoo`` read ``path`` (default :func:`editable_zoo_path`).

    Installing twice replaces the earlier finder. Call it before the zoo is
    first imported; the registry's reload picks up later edits by itself.

    Returns
    -------
    EditableZooFinder or None
        The installed finder, or ``None`` when there is no editable file.
    """
    target = path if path is not None else editable_zoo_path()
    sys.meta_path[:] = [
        f for f in sys.meta_path if not isinstance(f, EditableZooFinder)
    ]
    if target is None:
        return None
    finder = EditableZooFinder(target)
    sys.meta_path.insert(0, finder)
    return finder
