"""Write files so that a crash never leaves a half-written file under the final name."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aid.errors import ExportError


@contextmanager
def atomic_target(path: str | Path, suffix: str) -> Iterator[Path]:
    """Yield a temporary file beside ``path`` that replaces ``path`` on success.

    The caller writes the temporary file (named ``.<stem>.<random><suffix>``,
    so writers that choose their format by suffix accept it). When the block
    ends normally the file is flushed to disk and renamed over ``path`` with
    :func:`os.replace`; on any error it is removed and ``path`` is untouched.

    Raises
    ------
    ExportError
        If the folder cannot be created or the file cannot be written.
    """
    path = Path(path)
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(
            prefix=f".{path.stem}.", suffix=suffix, dir=path.parent
        )
        os.close(handle)
        tmp = Path(name)
        yield tmp
        with open(tmp, "rb+") as stream:
            os.fsync(stream.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write file ({exc})") from exc
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
