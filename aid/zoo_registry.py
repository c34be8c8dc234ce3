"""Registry of model-zoo architectures: the built-in zoo plus the user's own files.

A builder is registered with the :func:`architecture` decorator. Built-in builders
live in :mod:`aid.model_zoo`; users drop ``*.py`` files with more decorated
builders into :func:`user_models_dir`. Everything is loaded lazily the first time
the zoo is asked for, and :func:`reload` re-reads every file without a restart.

A file that fails to load is reported as a :class:`~aid.errors.ZooLoadError`
(see :func:`zoo_errors`) and skipped; it never takes the other entries down.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib
import importlib.util
import inspect
import os
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from aid.errors import ZooError, ZooLoadError

F = TypeVar("F", bound=Callable[..., Any])

#: Module holding the built-in architectures.
BUILTIN_MODULE = "aid.model_zoo"
#: Environment variable that overrides the user model folder.
USER_MODELS_ENV = "AID_USER_MODELS"
#: Prefix of the module names user files are imported under.
_USER_MODULE_PREFIX = "aid_user_zoo_"


@dataclass(frozen=True)
class Architecture:
    """One registered model builder.

    Attributes
    ----------
    name
        Name shown to users and stored with trained models.
    build
        ``build(input_shape, num_classes, *, **hparams) -> keras.Model``.
    family
        Group used to sort the zoo (``"MLP"``, ``"CNN"``, ``"ResNet"``, ...).
    min_size
        Smallest input height and width the builder supports.
    description
        One-line description (by default the builder's docstring summary).
    source
        File the builder was defined in.
    """

    name: str
    build: Callable[..., Any]
    family: str
    min_size: int
    description: str
    source: Path

    def hyperparameters(self) -> dict[str, tuple[Any, Any]]:
        """Keyword-only parameters of the builder as ``{name: (default, annotation)}``.

        The annotation is the resolved type (``int``, ``float``, ``str``, ``bool``)
        where possible, else the annotation text; ``inspect.Parameter.empty`` when
        there is none.
        """
        try:
            signature = inspect.signature(self.build, eval_str=True)
        except Exception:  # an annotation that cannot be evaluated stays text
            signature = inspect.signature(self.build)
        return {
            p.name: (p.default, p.annotation)
            for p in signature.parameters.values()
            if p.kind is inspect.Parameter.KEYWORD_ONLY
        }


_REGISTRY: dict[str, Architecture] = {}
_ERRORS: list[ZooLoadError] = []
_LOCK = threading.RLock()
_loaded = False


def _summary(build: Callable[..., Any]) -> str:
    doc = inspect.getdoc(build) or ""
    return doc.strip().splitlines()[0].strip() if doc.strip() else ""


def architecture(
    name: str, *, family: str = "custom", min_size: int = 1, description: str | None = None
) -> Callable[[F], F]:
    """Register a model builder under ``name``.

    Parameters
    ----------
    name
        Unique name of the architecture.
    family
        Group the architecture belongs to.
    min_size
        Smallest input height/width the builder supports (checked by
        :func:`build_model`).
    description
        One line for the user; defaults to the first line of the docstring.

    Raises
    ------
    ZooError
        When ``name`` is already registered from another file.
    """

    def decorator(build: F) -> F:
        source = Path(inspect.getfile(build)).resolve()
        with _LOCK:
            previous = _REGISTRY.get(name)
            if previous is not None and previous.source != source:
                raise ZooError(
                    f"model name {name!r} is defined twice: in {previous.source} "
                    f"and in {source}; rename one of them"
                )
            _REGISTRY[name] = Architecture(
                name=name,
                build=build,
                family=family,
                min_size=int(min_size),
                description=_summary(build) if description is None else description,
                source=source,
            )
        return build

    return decorator


def user_models_dir() -> Path:
    """Folder with the user's own model files (``$AID_USER_MODELS`` overrides)."""
    override = os.environ.get(USER_MODELS_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("aid", appauthor=False)) / "models"


def _load_error(path: Path, exc: BaseException) -> ZooLoadError:
    if isinstance(exc, SyntaxError):
        where = f"line {exc.lineno}: " if exc.lineno else ""
        detail = f"syntax error, {where}{exc.msg}"
    else:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
        where = f" (line {frames[-1].lineno})" if frames else ""
        detail = f"{type(exc).__name__}{where}: {exc}"
    error = ZooLoadError(f"could not load model file {path}: {detail}")
    error.path = path  # type: ignore[attr-defined]
    return error


def _run_source(source: Path, execute: Callable[[], None]) -> ZooLoadError | None:
    """Run ``execute`` (which registers builders from ``source``) all or nothing.

    The file's previous entries are removed first, so entries deleted from the file
    disappear; if it fails, the previous entries come back and the error is returned.
    """
    with _LOCK:
        before = {k: v for k, v in _REGISTRY.items() if v.source == source}
        for key in before:
            del _REGISTRY[key]
        try:
            execute()
        except Exception as exc:  # any failure of a user file is reported, not raised
            for key in [k for k, v in _REGISTRY.items() if v.source == source]:
                del _REGISTRY[key]
            _REGISTRY.update(before)
            return _load_error(source, exc)
    return None


def _user_module_name(path: Path) -> str:
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
    stem = "".join(c if c.isalnum() else "_" for c in path.stem)
    return f"{_USER_MODULE_PREFIX}{stem}_{digest}"


def _import_user_file(path: Path) -> None:
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


def load_user_models(folder: Path | str | None = None) -> list[ZooLoadError]:
    """Import every ``*.py`` file of ``folder`` (default :func:`user_models_dir`).

    Files are loaded in name order; files whose name starts with ``_`` are skipped.
    A file with a syntax or runtime error (a duplicate name included) is skipped and
    reported; the others still load.

    Returns
    -------
    list of ZooLoadError
        One error per file that failed (also kept for :func:`zoo_errors`).
    """
    directory = Path(folder) if folder is not None else user_models_dir()
    errors: list[ZooLoadError] = []
    if directory.is_dir():
        for path in sorted(directory.glob("*.py")):
            if path.name.startswith("_"):
                continue
            source = path.resolve()
            error = _run_source(source, lambda s=source: _import_user_file(s))
            if error is not None:
                errors.append(error)
    with _LOCK:
        _ERRORS.extend(errors)
    return errors


def _load_builtins(fresh: bool) -> ZooLoadError | None:
    module = sys.modules.get(BUILTIN_MODULE)
    if module is None:
        spec = importlib.util.find_spec(BUILTIN_MODULE)
        source = Path(spec.origin).resolve() if spec and spec.origin else Path(BUILTIN_MODULE)
        return _run_source(source, lambda: importlib.import_module(BUILTIN_MODULE) and None)
    if not fresh:
        return None
    source = Path(inspect.getfile(module)).resolve()
    return _run_source(source, lambda: importlib.reload(module) and None)


def reload() -> list[ZooLoadError]:
    """Re-read the built-in zoo and the user folder; return the load errors.

    Entries of a file that now fails keep their previous definition; entries of
    user files that were removed from the folder disappear.
    """
    global _loaded
    with _LOCK:
        user_prefix = _USER_MODULE_PREFIX
        builtin_source = _builtin_source()
        for key in [k for k, v in _REGISTRY.items() if v.source != builtin_source]:
            del _REGISTRY[key]
        for module_name in [m for m in sys.modules if m.startswith(user_prefix)]:
            del sys.modules[module_name]
        _ERRORS.clear()
        builtin_error = _load_builtins(fresh=True)
        if builtin_error is not None:
            _ERRORS.append(builtin_error)
        load_user_models()
        _loaded = True
        return list(_ERRORS)


def _builtin_source() -> Path | None:
    module = sys.modules.get(BUILTIN_MODULE)
    return Path(inspect.getfile(module)).resolve() if module is not None else None


def _ensure_loaded() -> None:
    global _loaded
    with _LOCK:
        if _loaded:
            return
        _loaded = True
        _ERRORS.clear()
        builtin_error = _load_builtins(fresh=False)
        if builtin_error is not None:
            _ERRORS.append(builtin_error)
        load_user_models()


def zoo_errors() -> list[ZooLoadError]:
    """Errors of the last load (built-in zoo and user files)."""
    _ensure_loaded()
    with _LOCK:
        return list(_ERRORS)


def available() -> dict[str, Architecture]:
    """Every registered architecture by name (loads the zoo on first use)."""
    _ensure_loaded()
    with _LOCK:
        return dict(_REGISTRY)


def names() -> list[str]:
    """Names of all registered architectures, sorted case-insensitively."""
    return sorted(available(), key=str.lower)


def get_architecture(name: str) -> Architecture:
    """The architecture called ``name``.

    Raises
    ------
    ZooError
        For an unknown name; the message suggests the closest names.
    """
    entries = available()
    if name in entries:
        return entries[name]
    by_lower = {k.lower(): k for k in entries}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(repr(by_lower[c]) for c in close)}?" if close else ""
    raise ZooError(f"unknown model architecture {name!r}{hint} (see 'aid zoo list')")


def _check_hparams(arch: Architecture, hparams: dict[str, Any]) -> None:
    known = arch.hyperparameters()
    unknown = sorted(set(hparams) - set(known))
    if unknown:
        allowed = ", ".join(known) or "none"
        raise ZooError(
            f"{arch.name} has no hyper-parameter {', '.join(map(repr, unknown))} "
            f"(allowed: {allowed})"
        )


def build_model(
    name: str, input_shape: tuple[int, int, int], num_classes: int, **hparams: Any
) -> Any:
    """Build the architecture ``name`` for ``input_shape`` and ``num_classes``.

    Parameters
    ----------
    name
        Registered architecture name.
    input_shape
        ``(height, width, channels)`` with 1 (gray) or 3 (RGB) channels.
    num_classes
        Number of output classes (at least 2).
    **hparams
        Values for the builder's keyword-only hyper-parameters.

    Returns
    -------
    keras.Model
        A new, uncompiled model ending in ``Dense(num_classes)`` + softmax.

    Raises
    ------
    ZooError
        Unknown name or hyper-parameter, input smaller than the architecture's
        minimum, unsupported channel count, or fewer than 2 classes.
    """
    arch = get_architecture(name)
    if len(input_shape) != 3:
        raise ZooError(f"input shape must be (height, width, channels), got {input_shape}")
    height, width, channels = (int(v) for v in input_shape)
    if min(height, width) < arch.min_size:
        raise ZooError(
            f"{arch.name} needs images of at least {arch.min_size}x{arch.min_size} "
            f"pixels, got {height}x{width}; choose a larger input size"
        )
    if channels not in (1, 3):
        raise ZooError(f"images must have 1 (gray) or 3 (RGB) channels, got {channels}")
    if int(num_classes) < 2:
        raise ZooError(f"a classifier needs at least 2 classes, got {num_classes}")
    _check_hparams(arch, hparams)
    return arch.build((height, width, channels), int(num_classes), **hparams)
