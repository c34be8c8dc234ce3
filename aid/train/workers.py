"""What a multi-worker run adds around the engine: one writer, agreed live changes.

Every worker runs the same epoch loop on the same (seeded) data; the engine
(:mod:`aid.train.distribute`) keeps their weights in sync. On top of that:

* only the chief writes the run folder; the other workers write into a private
  temporary folder that is removed at the end (:func:`worker_folder`);
* the live parameters are the chief's file, handed to every worker through a
  collective at each epoch boundary (:class:`AgreedLiveParams`), so all apply
  the same change at the same epoch even when the file changes meanwhile;
* :func:`weights_sha256` lets a caller check that the workers ended equal.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import keras
import numpy as np

from aid.train.config import TrainConfig
from aid.train.distribute import Distribution
from aid.train.params import PARAMS_FILE, PARAMS_LOG, LiveParams, write_params
from aid.train.run_folder import atomic_write_text


@contextlib.contextmanager
def worker_folder(
    run_dir: Path, distribution: Distribution, *, copy: bool
) -> Iterator[Path]:
    """Yield the folder this process writes: ``run_dir`` for the chief, else a temp.

    A non-chief worker gets a private temporary folder, removed afterwards;
    with ``copy`` (a resume, on a shared file system) it starts as a copy of
    ``run_dir``.
    """
    if distribution.is_chief:
        yield run_dir
        return
    private = Path(tempfile.mkdtemp(prefix=f"aid-worker{distribution.worker_index}-"))
    try:
        if copy and run_dir.is_dir():
            shutil.copytree(run_dir, private, dirs_exist_ok=True)
        yield private
    finally:
        shutil.rmtree(private, ignore_errors=True)


class AgreedLiveParams(LiveParams):
    """Live parameters that every worker reads identically: the chief's file.

    At each poll the chief's ``params.json`` text is broadcast with
    :meth:`Distribution.agree_text` and written to a private view file, which
    the usual :class:`LiveParams` logic then diffs, validates and applies. The
    log and one-shot resets go to ``run_dir`` (the chief's run folder, or a
    worker's private folder).

    Parameters
    ----------
    run_dir
        The folder this worker writes.
    distribution
        The engine that carries the broadcast.
    seen
        As for :class:`LiveParams`.
    """

    def __init__(
        self,
        run_dir: str | Path,
        distribution: Distribution,
        seen: Mapping[str, Any] | None = None,
    ) -> None:
        self.shared_dir = Path(run_dir)
        self.distribution = distribution
        super().__init__(tempfile.mkdtemp(prefix="aid-params-"), seen)

    @property
    def path(self) -> Path:
        """Path of the ``params.json`` this worker writes (the chief's counts)."""
        return self.shared_dir / PARAMS_FILE

    @property
    def log_path(self) -> Path:
        """Path of ``params_log.csv``."""
        return self.shared_dir / PARAMS_LOG

    def poll(self, config: TrainConfig) -> Any:
        """Take the chief's file content, then diff, validate and apply it."""
        try:
            text: str | None = self.path.read_text(encoding="utf-8")
        except OSError:
            text = None
        text = self.distribution.agree_text(text)
        view = self.run_dir / PARAMS_FILE
        if text is None:
            view.unlink(missing_ok=True)
        else:
            atomic_write_text(view, text)
        return super().poll(config)

    def acknowledge(self, key: str) -> None:
        """Reset a one-shot request in this worker's file after serving it."""
        content = write_params(self.shared_dir, **{key: False})
        self.seen[key] = content[key]

    def close(self) -> None:
        """Remove the private view folder."""
        shutil.rmtree(self.run_dir, ignore_errors=True)


def live_params(
    run_dir: Path, distribution: Distribution, seen: Mapping[str, Any] | None = None
) -> LiveParams:
    """Plain :class:`LiveParams`, or :class:`AgreedLiveParams` for several workers."""
    if distribution.multi_worker:
        return AgreedLiveParams(run_dir, distribution, seen)
    return LiveParams(run_dir, seen)


def weights_sha256(model: keras.Model) -> str:
    """Digest of the model's weights (equal digests = identical weights)."""
    digest = hashlib.sha256()
    for weight in model.get_weights():
        digest.update(np.ascontiguousarray(weight).tobytes())
    return digest.hexdigest()
