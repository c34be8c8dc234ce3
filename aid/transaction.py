"""A context manager for writers that commit on success and roll back on error."""

from __future__ import annotations

from types import TracebackType
from typing import TypeVar

T = TypeVar("T", bound="Transaction")


class Transaction:
    """``close()`` when the ``with`` block succeeds, ``abort()`` when it raises.

    Writers that build a file under a temporary name subclass this, so a failure
    never leaves a half-written file under the final name.
    """

    def close(self) -> object:
        """Finish and publish the result."""
        raise NotImplementedError

    def abort(self) -> None:
        """Discard everything written so far."""
        raise NotImplementedError

    def __enter__(self: T) -> T:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
