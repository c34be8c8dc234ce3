"""Import model-zoo source files: the built-in zoo module and the user's own files.

Only the mechanics live here (where the files are, how a file is imported, how a
failure is described); :mod:`aid.zoo_registry` decides what gets registered.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import sys
import traceback
from pathlib import Path

from aid.errors import ZooError, ZooLoadError

#: Module holding the built-in architectures.
BUILTIN_MODULE = "aid.model_zoo"
#: Environment variable that overrides the user model folder.
USER_MODELS_ENV = "AID_USER_MODELS"
#: Prefix of the module names user files are imported under.
USER_MODULE_PREFIX = "aid_user_zoo_"


def user_models_dir() -> Path:
    """Folder with the user's own model files (``$AID_USER_MODELS`` overrides)."""
    override = os.environ.get(USER_MODELS_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("aid", appauthor=False)) / "models"


def load_error(path: Path, exc: BaseException) -> ZooLoadError:
    """Describe why ``path`` failed to load: file, line and error, for the user."""
    if isinstance(exc, SyntaxError):
        where = f"line {exc.lineno}: " if exc.lineno else ""
        detail = f"syntax error, {where}{exc.msg}"
    else:
        frames = [
            f
            for f in traceback.extract_tb(exc.__traceback__)
            if f.filename == str(path)
        ]
        where = f" (line {frames[-1].lineno})" if frames else ""
        detail = f"{type(exc).__name__}{where}: {exc}"
    error = ZooLoadError(f"could not load model file {path}: {detail}")
    error.path = path  # type: ignore[attr-defined]
    return error


def _user_module_name(path: Path) -> str:
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
    stem = "".join(c if c.isalnum() else "_" for c in path.stem)
    return f"{USER_MODULE_PREFIX}{stem}_{digest}"


def import_model_file(path: Path) -> None:
    """Execute the Python file ``path`` as a module with a unique name."""
    module_name = _user_module_name(path)
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path} is not an importable Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling look modules up here
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise


def import_builtins() -> None:
    """Import the built-in zoo module, or re-execute it if it was imported."""
    module = sys.modules.get(BUILTIN_MODULE)
    if module is None:
        importlib.import_module(BUILTIN_MODULE)
    else:
        importlib.reload(module)


def builtin_source() -> Path:
    """Path of the built-in zoo file."""
    spec = importlib.util.find_spec(BUILTIN_MODULE)
    if spec is None or spec.origin is None:  # pragma: no cover - broken install
        raise ZooError(f"the built-in model zoo {BUILTIN_MODULE} is missing")
    return Path(spec.origin).resolve()


def forget_user_modules() -> None:
    """Drop imported user files from ``sys.modules`` so that they are re-read."""
    for name in [m for m in sys.modules if m.startswith(USER_MODULE_PREFIX)]:
        del sys.modules[name]
