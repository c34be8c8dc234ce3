"""A progress bar with a cancel button, shown while a background task runs."""

from __future__ import annotations

from PyQt5.QtCore import pyqtSignal
from PyQt5.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget


class ProgressRow(QWidget):
    """Progress of one background task; hidden while idle."""

    cancel_requested = pyqtSignal()

    def __init__(self, tip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setToolTip(tip)
        self.bar.setMinimumWidth(220)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop this step; nothing half-written is kept.")
        self.cancel_button.clicked.connect(self.cancel_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.cancel_button)
        self.set_busy(False)

    def set_busy(self, busy: bool, text: str = "", cancellable: bool = True) -> None:
        """Show (``busy``) or hide the bar; ``text`` describes the step."""
        self.setVisible(busy)
        self.cancel_button.setVisible(cancellable)
        self.bar.setRange(0, 0)  # busy indicator until the first progress report
        self.bar.setFormat(f"{text} %p%" if text else "%p%")
        self._text = text

    def set_progress(self, done: int, total: int) -> None:
        """``done`` of ``total`` steps (``total`` 0: unknown)."""
        if total <= 0:
            self.bar.setRange(0, 0)
            return
        self.bar.setRange(0, total)
        self.bar.setValue(min(done, total))
