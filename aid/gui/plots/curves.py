"""Training curves: accuracy, loss and learning rate against epoch."""

from __future__ import annotations

from collections.abc import Mapping

import pyqtgraph as pg
from PyQt5.QtWidgets import QVBoxLayout, QWidget

#: (log key, legend label, plot, colour, dashed)
SERIES = (
    ("accuracy", "accuracy", "acc", "#1f77b4", False),
    ("val_accuracy", "validation accuracy", "acc", "#ff7f0e", True),
    ("loss", "loss", "loss", "#1f77b4", False),
    ("val_loss", "validation loss", "loss", "#ff7f0e", True),
    ("learning_rate", "learning rate", "lr", "#2ca02c", False),
)


def style_plot(
    plot: pg.PlotWidget, title: str, left: str, bottom: str = "epoch"
) -> pg.PlotWidget:
    """Give ``plot`` a title, labelled axes, a light grid and a legend."""
    plot.setTitle(title, size="10pt")
    plot.setLabel("left", left)
    plot.setLabel("bottom", bottom)
    plot.showGrid(x=True, y=True, alpha=0.25)
    plot.addLegend(offset=(-10, 10), labelTextSize="8pt")
    plot.setMinimumHeight(140)
    for axis in ("left", "bottom"):
        plot.getAxis(axis).enableAutoSIPrefix(False)  # "x0.001" labels confuse readers
    return plot


def styled_plot(title: str, left: str, bottom: str = "epoch") -> pg.PlotWidget:
    """Create a plot widget in the style of :func:`style_plot`."""
    return style_plot(pg.PlotWidget(), title, left, bottom)


class TrainingCurves(QWidget):
    """Three stacked plots sharing the epoch axis; one point per finished epoch."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plots = {
            "acc": styled_plot("Accuracy", "fraction correct"),
            "loss": styled_plot("Loss", "loss"),
            "lr": styled_plot("Learning rate", "rate"),
        }
        self.plots["lr"].setLogMode(y=True)
        self.plots["acc"].setYRange(0.0, 1.0)
        self.plots["acc"].setToolTip(
            "Share of correctly classified images. Solid: training sample of each "
            "epoch; "
            "dashed: validation files the model never learns from. A growing gap means "
            "the model memorises the training images (overfitting)."
        )
        self.plots["loss"].setToolTip(
            "The quantity the optimiser makes smaller. Validation loss rising while "
            "training loss falls is a sign of overfitting."
        )
        self.plots["lr"].setToolTip(
            "Step size of the optimiser in each epoch (log scale)."
        )
        for key in ("loss", "lr"):
            self.plots[key].setXLink(self.plots["acc"])
        self._items: dict[str, pg.PlotDataItem] = {}
        for key, label, plot, colour, dashed in SERIES:
            pen = pg.mkPen(
                colour,
                width=2,
                style=pg.QtCore.Qt.DashLine if dashed else pg.QtCore.Qt.SolidLine,
            )
            self._items[key] = self.plots[plot].plot(
                [],
                [],
                pen=pen,
                name=label,
                symbol="o",
                symbolSize=5,
                symbolBrush=colour,
                symbolPen=None,
            )
        self._epochs: list[int] = []
        self._values: dict[str, list[float]] = {key: [] for key, *_ in SERIES}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for plot in self.plots.values():
            layout.addWidget(plot)

    def add_epoch(
        self, epoch: int, logs: Mapping[str, float], learning_rate: float
    ) -> None:
        """Append one epoch (a repeated epoch replaces the earlier point)."""
        if epoch in self._epochs:
            cut = self._epochs.index(epoch)
            del self._epochs[cut:]
            for values in self._values.values():
                del values[cut:]
        self._epochs.append(int(epoch))
        merged = {**logs, "learning_rate": learning_rate}
        for key, values in self._values.items():
            value = merged.get(key, merged.get(key.replace("accuracy", "acc")))
            values.append(float("nan") if value is None else float(value))
        for key, item in self._items.items():
            item.setData(self._epochs, self._values[key], connect="finite")

    def clear(self) -> None:
        self._epochs.clear()
        for key, values in self._values.items():
            values.clear()
            self._items[key].setData([], [])

    def epoch_count(self) -> int:
        """Return the number of epochs shown."""
        return len(self._epochs)

    def series(self, key: str) -> list[float]:
        """Values plotted for ``key`` (e.g. ``"val_accuracy"``)."""
        return list(self._values[key])
