"""Data-parallel training through the backends' own engines.

:func:`setup_distribution` turns a run's ``device`` (see :mod:`aid.train.devices`)
and ``multi_worker`` settings into a :class:`Distribution`:

* TensorFlow: ``tf.distribute.MultiWorkerMirroredStrategy`` across machines
  (configured by ``TF_CONFIG``), ``MirroredStrategy`` over several GPUs,
  ``OneDeviceStrategy`` for one chosen device, the default strategy otherwise.
  GPU memory growth is switched on before the first TensorFlow op.
* JAX: ``keras.distribution.DataParallel`` over the chosen devices.
* torch: one device (Keras picks it; ``KERAS_TORCH_DEVICE`` overrides).

Models, optimizers and ``fit`` run inside :meth:`Distribution.scope`; each
``fit`` batch is the global batch, which the engine shards over the replicas.
This is the only core module that calls TensorFlow.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from aid.errors import ConfigError
from aid.train.devices import gpu_index, prepare_environment


@dataclass(frozen=True)
class Distribution:
    """How this process trains: engine, devices and its role among workers.

    Attributes
    ----------
    kind
        ``default``, ``one_device``, ``mirrored``, ``multi_worker`` or
        ``data_parallel``.
    devices
        The devices this process trains on (backend names).
    num_workers, worker_index
        Processes training together and this one's rank (0 is the chief,
        the only one writing the run folder).
    engine
        The ``tf.distribute.Strategy`` or ``keras.distribution.Distribution``
        (``None`` for the backend's default placement).
    """

    kind: str
    devices: tuple[str, ...]
    num_workers: int = 1
    worker_index: int = 0
    engine: Any = None

    @property
    def is_chief(self) -> bool:
        """Whether this process writes the run folder."""
        return self.worker_index == 0

    @property
    def multi_worker(self) -> bool:
        """Whether several processes train one model together."""
        return self.num_workers > 1

    @property
    def num_replicas(self) -> int:
        """Model replicas training in sync (all workers together)."""
        if self.engine is not None and hasattr(self.engine, "num_replicas_in_sync"):
            return int(self.engine.num_replicas_in_sync)
        return max(1, len(self.devices))

    @property
    def batch_multiple(self) -> int:
        """Batches must hold a multiple of this many images (JAX sharding)."""
        return len(self.devices) if self.kind == "data_parallel" else 1

    def round_down(self, count: int) -> int:
        """``count`` rounded down to a multiple of :attr:`batch_multiple`."""
        return count - count % self.batch_multiple

    def describe(self) -> str:
        """Short text for logs, e.g. ``mirrored on 2 devices (worker 0 of 1)``."""
        text = f"{self.kind} on {', '.join(self.devices) or 'default device'}"
        if self.multi_worker:
            text += f" (worker {self.worker_index} of {self.num_workers})"
        return text

    def scope(self) -> contextlib.AbstractContextManager[Any]:
        """Context in which models, optimizers and ``fit`` must run."""
        if self.engine is None:
            return contextlib.nullcontext()
        return self.engine.scope()  # type: ignore[no-any-return]

    def agree_text(self, text: str | None) -> str | None:
        """Return the chief's ``text`` on every worker (all workers must call)."""
        if not self.multi_worker:
            return text
        data = b"" if text is None else text.encode("utf-8")
        size = int(
            _tf_sum(self.engine, np.array([0 if text is None else len(data) + 1]))[0]
        )
        if size == 0:
            return None
        raw = np.zeros(size - 1, dtype=np.int32)
        raw[: min(len(data), size - 1)] = np.frombuffer(data, np.uint8)[: size - 1]
        chief = _tf_sum(self.engine, raw)
        return bytes(chief.astype(np.uint8)).decode("utf-8", errors="replace")

    def any_worker(self, flag: bool) -> bool:
        """Whether ``flag`` is true on any worker (a collective: all must call)."""
        if not self.multi_worker:
            return flag
        votes = _tf_sum(self.engine, np.array([int(flag)]), chief_only=False)
        return bool(votes[0] > 0)


def setup_distribution(
    device: str = "auto", *, multi_worker: bool = False
) -> Distribution:
    """Choose the engine for ``device`` on the current Keras backend.

    Raises
    ------
    ConfigError
        When the device is not available (no GPU, ``gpu:N`` beyond the
        visible GPUs), when ``multi_worker`` is asked for on another backend
        than TensorFlow or without a valid ``TF_CONFIG``.
    """
    prepare_environment()
    backend = keras.backend.backend()
    if multi_worker and backend != "tensorflow":
        raise ConfigError(
            f"multi-worker training needs the TensorFlow backend (this is {backend})"
        )
    if backend == "tensorflow":
        return _tf_distribution(device, multi_worker)
    if backend == "jax":
        return _jax_distribution(device)
    _check_available(device, [])  # torch and others: one device, chosen by Keras
    return Distribution("default", ())


def _check_available(device: str, gpus: list[Any]) -> None:
    index = gpu_index(device)
    if device == "all" and not gpus:
        raise ConfigError("device 'all' needs a GPU, but none is visible")
    if index is not None and index >= len(gpus):
        raise ConfigError(
            f"device {device!r} is not available: {len(gpus)} GPU(s) visible"
        )


def _jax_distribution(device: str) -> Distribution:
    gpus = keras.distribution.list_devices("gpu") if _jax_has_gpu() else []
    _check_available(device, gpus)
    index = gpu_index(device)
    if device == "cpu":
        chosen = keras.distribution.list_devices("cpu")[:1]
    elif index is not None:
        chosen = [gpus[index]]
    else:
        chosen = gpus or keras.distribution.list_devices("cpu")
    if device == "auto" and len(chosen) == 1:
        return Distribution("default", tuple(chosen))
    engine = keras.distribution.DataParallel(devices=chosen)
    kind = "data_parallel" if len(chosen) > 1 else "one_device"
    return Distribution(kind, tuple(chosen), engine=engine)


def _jax_has_gpu() -> bool:
    import jax

    return any(d.platform == "gpu" for d in jax.devices())


def _tf_distribution(device: str, multi_worker: bool) -> Distribution:
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        with contextlib.suppress(RuntimeError):  # already started: env var did it
            tf.config.experimental.set_memory_growth(gpu, True)
    _check_available(device, gpus)
    index = gpu_index(device)
    if multi_worker:
        num_workers, rank = tf_config_rank()
        if device == "cpu" or index is not None:
            keep = [] if device == "cpu" else [gpus[index or 0]]
            try:
                tf.config.set_visible_devices(keep, "GPU")
            except RuntimeError as exc:
                raise ConfigError(
                    f"cannot restrict TensorFlow to {device!r} after it started; "
                    "set CUDA_VISIBLE_DEVICES instead"
                ) from exc
        engine = _multi_worker_strategy()
        devices = tuple(engine.extended.worker_devices)
        return Distribution("multi_worker", devices, num_workers, rank, engine)
    if device == "cpu":
        return Distribution("one_device", ("/cpu:0",), engine=_one_device("/cpu:0"))
    if index is not None:
        name = f"/gpu:{index}"
        return Distribution("one_device", (name,), engine=_one_device(name))
    if len(gpus) == 1:  # TensorFlow's default placement already uses it
        return Distribution("default", ("/gpu:0",))
    if gpus:
        engine = tf.distribute.MirroredStrategy()
        return Distribution(
            "mirrored", tuple(engine.extended.worker_devices), engine=engine
        )
    return Distribution("default", ("/cpu:0",))


def _one_device(name: str) -> Any:
    import tensorflow as tf

    return tf.distribute.OneDeviceStrategy(name)


def tf_config_rank() -> tuple[int, int]:
    """Return the number of workers and this worker's rank from ``TF_CONFIG``.

    A ``chief`` task, when the cluster has one, is rank 0; otherwise worker 0.

    Raises
    ------
    ConfigError
        When ``TF_CONFIG`` is missing, not JSON or lacks the cluster or task.
    """
    raw = os.environ.get("TF_CONFIG", "")
    if not raw:
        raise ConfigError(
            "multi-worker training needs TF_CONFIG, e.g. "
            '{"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
            '"task": {"type": "worker", "index": 0}}'
        )
    try:
        config = json.loads(raw)
        chiefs = list(config["cluster"].get("chief", []))
        workers = list(config["cluster"].get("worker", []))
        task_type, index = config["task"]["type"], int(config["task"]["index"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(
            f"TF_CONFIG is not a valid cluster description ({exc})"
        ) from exc
    if task_type not in ("chief", "worker") or not 0 <= index < len(
        chiefs if task_type == "chief" else workers
    ):
        raise ConfigError(f"TF_CONFIG task {task_type}:{index} is not in its cluster")
    rank = index if task_type == "chief" else len(chiefs) + index
    return len(chiefs) + len(workers), rank


@functools.cache
def _multi_worker_strategy() -> Any:
    """Create this process's ``MultiWorkerMirroredStrategy`` (TF allows one).

    Keras 3's TensorFlow trainer reduces a *tuple* of per-replica batches and
    asks for ``MEAN`` over ``axis=0`` of *scalar* logs, both of which the
    multi-worker ``reduce`` rejects (keras-team/keras#20585). This subclass
    reduces structures element by element and scalars over the replicas
    only; the collective all-reduce itself is TensorFlow's.
    """
    import tensorflow as tf

    class KerasMultiWorkerMirroredStrategy(tf.distribute.MultiWorkerMirroredStrategy):  # type: ignore[misc]
        def reduce(self, reduce_op: Any, value: Any, axis: Any) -> Any:
            if isinstance(value, (tuple, list, dict)):
                return tf.nest.map_structure(
                    lambda item: self.reduce(reduce_op, item, axis), value
                )
            local = self.experimental_local_results(value)[0]
            if axis is not None and local.shape.rank == 0:
                axis = None
            return super().reduce(reduce_op, value, axis)

    return KerasMultiWorkerMirroredStrategy()


def _tf_sum(
    strategy: Any, values: np.ndarray, *, chief_only: bool = True
) -> np.ndarray:
    """All-reduce ``values`` (int32) over every worker; the chief's alone if asked."""
    import tensorflow as tf

    def replica_value(x: Any) -> Any:
        if not chief_only:
            return x
        replica = tf.distribute.get_replica_context().replica_id_in_sync_group
        return tf.where(tf.equal(replica, 0), x, tf.zeros_like(x))

    @tf.function
    def total(x: Any) -> Any:
        return strategy.reduce("SUM", strategy.run(replica_value, args=(x,)), axis=None)

    return np.asarray(total(tf.constant(values.astype(np.int32))))
