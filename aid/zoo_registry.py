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
import inspect
import re
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from aid.errors import ZooError, ZooLoadError
from aid.zoo_files import (
    BUILTIN_MODULE,
    builtin_source,
    forget_user_modules,
    import_builtins,
    import_model_file,
    load_error,
    user_models_dir,
)

F = TypeVar("F", bound=Callable[..., Any])


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
    name: str,
    *,
    family: str = "custom",
    min_size: int = 1,
    description: str | None = None,
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


def _run_source(source: Path, execute: Callable[[Path], object]) -> ZooLoadError | None:
    """Run ``execute`` (which registers builders from ``source``) all or nothing.

    The file's previous entries are removed first, so entries deleted from the file
    disappear; if it fails, the previous entries come back and the error is returned.
    """
    with _LOCK:
        before = {k: v for k, v in _REGISTRY.items() if v.source == source}
        for key in before:
            del _REGISTRY[key]
        try:
            execute(source)
        except (Exception, SystemExit) as exc:  # a user file must not crash AID
            for key in [k for k, v in _REGISTRY.items() if v.source == source]:
                del _REGISTRY[key]
            _REGISTRY.update(before)
            return load_error(source, exc)
    return None


def _load_folder(directory: Path) -> list[ZooLoadError]:
    errors = []
    for path in sorted(directory.glob("*.py")) if directory.is_dir() else []:
        if not path.name.startswith("_"):
            error = _run_source(path.resolve(), import_model_file)
            errors += [error] if error is not None else []
    with _LOCK:
        _ERRORS.extend(errors)
    return errors


def load_user_models(folder: Path | str | None = None) -> list[ZooLoadError]:
    """Import every ``*.py`` file of ``folder`` (default :func:`user_models_dir`).

    Files are loaded in name order; names starting with ``_`` are skipped. A file
    with a syntax or runtime error (a duplicate model name included) is skipped
    and reported; the other files still load.

    Returns
    -------
    list of ZooLoadError
        One error per failed file (also kept for :func:`zoo_errors`).
    """
    _ensure_loaded()
    return _load_folder(Path(folder) if folder is not None else user_models_dir())


def load_model_file(path: Path | str) -> list[Architecture]:
    """Import one model file (e.g. to check it) and return the entries it defines.

    Raises
    ------
    ZooLoadError
        If the file is missing or fails to load; nothing is registered then.
    """
    _ensure_loaded()
    source = Path(path).expanduser().resolve()
    if not source.is_file():
        raise ZooLoadError(f"model file {path} does not exist")
    if source == builtin_source():
        error = _run_source(source, lambda _: import_builtins())
    else:
        error = _run_source(source, import_model_file)
    if error is not None:
        raise error
    with _LOCK:
        return [a for a in _REGISTRY.values() if a.source == source]


def _load_everything(fresh: bool) -> list[ZooLoadError]:
    """Load the built-in zoo (re-executed when ``fresh``) and the user folder."""
    global _loaded
    with _LOCK:
        _loaded = True
        _ERRORS.clear()
        if fresh or BUILTIN_MODULE not in sys.modules:
            error = _run_source(builtin_source(), lambda _: import_builtins())
            _ERRORS.extend([error] if error is not None else [])
        _load_folder(user_models_dir())
        return list(_ERRORS)


def reload() -> list[ZooLoadError]:
    """Re-read the built-in zoo and the user folder; return the load errors.

    Entries of user files are dropped and read again, so renamed or deleted
    models disappear and a file that now fails is skipped. If the built-in zoo
    file fails after an edit, its previous entries are kept.
    """
    with _LOCK:
        builtin = builtin_source()
        for key in [k for k, v in _REGISTRY.items() if v.source != builtin]:
            del _REGISTRY[key]
        forget_user_modules()
        return _load_everything(fresh=True)


def _ensure_loaded() -> None:
    with _LOCK:
        if not _loaded:
            _load_everything(fresh=False)


def builtin_architectures() -> dict[str, Architecture]:
    """Return the architectures of the built-in zoo file only (reads no user file).

    Raises
    ------
    ZooLoadError
        If the built-in zoo file fails to import.
    """
    with _LOCK:
        source = builtin_source()
        if BUILTIN_MODULE not in sys.modules:
            error = _run_source(source, lambda _: import_builtins())
            if error is not None:
                raise error
        return {k: v for k, v in _REGISTRY.items() if v.source == source}


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
    """Names of all registered architectures in natural order (MLP_8 before MLP_16)."""

    def natural(name: str) -> list[Any]:
        return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name.lower())]

    return sorted(available(), key=natural)


def get_architecture(name: str) -> Architecture:
    """Return the architecture called ``name``.

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
    hint = (
        f"; did you mean {', '.join(repr(by_lower[c]) for c in close)}?"
        if close
        else ""
    )
    raise ZooError(f"unknown model architecture {name!r}{hint} (see 'aid zoo list')")


def _check_hparams(arch: Architecture, hparams: dict[str, Any]) -> None:
    known = arch.hyperparameters()
    unknown = sorted(set(hparams) - set(known))
    if unknown:
        raise ZooError(
            f"{arch.name} has no hyper-parameter {', '.join(map(repr, unknown))} "
            f"(it has: {', '.join(known) or 'none'})"
        )


def _check_head(arch: Architecture, model: Any, num_classes: int) -> None:
    """Check the zoo rule: ``Dense(num_classes)`` then a softmax ``Activation``."""
    found = [type(layer).__name__ for layer in getattr(model, "layers", [])[-2:]]
    ok = found == ["Dense", "Activation"]
    if ok:
        dense, activation = model.layers[-2:]
        ok = dense.units == num_classes and activation.get_config()["activation"] in (
            "softmax",
            "keras.activations.softmax",
        )
    if not ok:
        raise ZooError(
            f"{arch.name} ({arch.source}) must end in Dense({num_classes}) followed "
            f"by Activation('softmax'); its last layers are {found}"
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
        minimum, unsupported channel count, fewer than 2 classes, or a builder
        that breaks the zoo rules.
    """
    arch = get_architecture(name)
    if len(input_shape) != 3:
        raise ZooError(f"input shape must be (height, width, channels): {input_shape}")
    height, width, channels = (int(v) for v in input_shape)
    if min(height, width) < arch.min_size:
        raise ZooError(
            f"{arch.name} needs images of at least {arch.min_size}x{arch.min_size} "
            f"pixels, got {height}x{width}; choose a larger input size"
        )
    if channels not in (1, 3):
        raise ZooError(f"images must have 1 (gray) or 3 (RGB) channels, not {channels}")
    if int(num_classes) < 2:
        raise ZooError(f"a classifier needs at least 2 classes, got {num_classes}")
    _check_hparams(arch, hparams)
    model = arch.build((height, width, channels), int(num_classes), **hparams)
    _check_head(arch, model, int(num_classes))
    return model
