"""Light and dark colour themes (Fusion style with a palette)."""

from __future__ import annotations

from PyQt5.QtGui import QColor, QPalette
from PyQt5.QtWidgets import QApplication

_DARK = {
    QPalette.Window: "#2b2b2b",
    QPalette.WindowText: "#e6e6e6",
    QPalette.Base: "#1f1f1f",
    QPalette.AlternateBase: "#2f2f2f",
    QPalette.ToolTipBase: "#ffffdc",
    QPalette.ToolTipText: "#000000",
    QPalette.Text: "#e6e6e6",
    QPalette.Button: "#3a3a3a",
    QPalette.ButtonText: "#e6e6e6",
    QPalette.Highlight: "#2f6fb3",
    QPalette.HighlightedText: "#ffffff",
    QPalette.Link: "#6fb3ff",
}


def apply_theme(app: QApplication, theme: str) -> None:
    """Use ``"light"`` or ``"dark"`` colours for the whole application."""
    app.setStyle("Fusion")
    if theme == "dark":
        palette = QPalette()
        for role, colour in _DARK.items():
            palette.setColor(role, QColor(colour))
        palette.setColor(QPalette.Disabled, QPalette.Text, QColor("#7a7a7a"))
        palette.setColor(QPalette.Disabled, QPalette.ButtonText, QColor("#7a7a7a"))
        app.setPalette(palette)
    else:
        app.setPalette(app.style().standardPalette())
