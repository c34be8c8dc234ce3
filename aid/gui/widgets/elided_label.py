"""A one-line label that shortens long text (paths) with "…" instead of widening."""

from __future__ import annotations

from PyQt5.QtCore import QSize, Qt
from PyQt5.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    """Show as much of a long text as fits; the full text is in the tooltip.

    A plain ``QLabel`` with a long path makes its whole window at least that
    wide; this one elides in the middle, where paths differ least. A
    ``greedy`` label takes whatever width is left over; otherwise it asks for
    its full text but gives way when space is short.
    """

    def __init__(
        self, text: str = "", parent: QWidget | None = None, *, greedy: bool = True
    ) -> None:
        super().__init__(parent)
        self._full = ""
        policy = QSizePolicy.Ignored if greedy else QSizePolicy.Preferred
        self.setSizePolicy(policy, QSizePolicy.Preferred)
        self.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        """Set the text; it is elided to the current width."""
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def sizeHint(self) -> QSize:  # noqa: N802
        metrics = self.fontMetrics()
        margins = self.contentsMargins()
        width = metrics.horizontalAdvance(self._full) + margins.left() + margins.right()
        return QSize(width + 4, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(40, super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(self.width() - 4, 36)
        super().setText(
            self.fontMetrics().elidedText(self._full, Qt.ElideMiddle, width)
        )
