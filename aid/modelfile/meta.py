"""Metadata stored with every model AID saves or exports.

A model is useless without knowing how its inputs were made; this record makes
assessment, prediction and export need no re-entry of settings.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from aid import __version__
from aid.data.preprocess import Preprocessing
from aid.errors import ModelLoadError, PreprocessError

META_SCHEMA_VERSION = 1


def software_versions() -> dict[str, str]:
    """Versions of AID and (if installed) Keras, read without importing Keras."""
    versions = {"aid": __version__}
    try:
        versions["keras"] = metadata.version("keras")
    except metadata.PackageNotFoundError:
        pass
    return versions


@dataclass(frozen=True)
class ModelMeta:
    """What a model needs to be used correctly.

    Parameters
    ----------
    class_names
        Name of each output class, in output order.
    preprocessing
        Crop size, colour mode, padding, zoom interpolation and normalisation
        (with the training-set mean/std for ``zscore_train``).
    zoo_name
        Model-zoo architecture name (``""`` when unknown, e.g. legacy models).
    epoch
        Epoch the weights come from (``-1`` when unknown).
    source
        Free-form provenance: run folder, legacy meta file, ...
    software
        Versions of AID and Keras that wrote the model.
    """

    class_names: tuple[str, ...]
    preprocessing: Preprocessing
    zoo_name: str = ""
    epoch: int = -1
    source: dict[str, Any] = field(default_factory=dict)
    software: dict[str, str] = field(default_factory=software_versions)

    @property
    def num_classes(self) -> int:
        """Number of output classes."""
        return len(self.class_names)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dictionary with a schema version."""
        raw = asdict(self)
        raw["class_names"] = list(self.class_names)
        raw["preprocessing"] = self.preprocessing.to_dict()
        raw["schema_version"] = META_SCHEMA_VERSION
        return raw

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ModelMeta:
        """Inverse of :meth:`to_dict`."""
        try:
            raw = dict(raw)
            raw.pop("schema_version", None)
            raw["class_names"] = tuple(str(n) for n in raw["class_names"])
            raw["preprocessing"] = Preprocessing.from_dict(raw["preprocessing"])
            return cls(**raw)
        except (KeyError, TypeError, ValueError, PreprocessError) as exc:
            raise ModelLoadError(f"invalid model metadata: {exc}") from exc

    def write_json(self, path: str | Path) -> Path:
        """Write the metadata as JSON to ``path``; returns the path."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=2), encoding="utf-8")
        tmp.replace(path)
        return path

    @classmethod
    def read_json(cls, path: str | Path) -> ModelMeta:
        """Read metadata written by :meth:`write_json`."""
        try:
            return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelLoadError(f"{path}: cannot read model metadata ({exc})") from exc
