"""Training curves: accuracy, loss and learning rate against epoch."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyqtgraph as pg
from PyQt5.QtWidgets import QVBoxLayout, QWidget

#: Colours of plotted series (matplotlib's "tab10"), reused in every tab.
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)

#: (log key, legend label, plot, colour, dashed)
SERIES = (
    ("accuracy", "accuracy", "acc", "#1f77b4", False),
    ("val_accuracy", "validation accuracy", "acc", "#ff7f0e", True),
    ("loss", "loss", "loss", "#1f77b4", False),
    ("val_loss", "validation loss", "loss", "#ff7f0e", True),
    ("learning_rate", "learning rate", "lr", "#2ca02c", False),
)


#: Mantissas tried, in order, for the ticks of a log axis spanning under a decade.
_NICE_MANTISSAS = ((1.0,), (1.0, 3.0), (1.0, 2.0, 5.0), (1.0, 2.0, 3.0, 5.0))
_ALL_MANTISSAS = tuple(float(m) for m in range(1, 10))
#: Vertical pixels per tick label at least (keeps log labels apart).
_PIXELS_PER_LABEL = 28.0


class LogAxis(pg.AxisItem):
    """A log axis whose labels never overlap, even over less than a decade.

    pyqtgraph labels every 1..9 × 10^k on a short log range, which piles
    labels on top of each other; this axis takes the coarsest nice set of
    values (1, 3, 1 × 10^k, ...) that still gives at least three labels, and
    thins it to the room available.
    """

    def logTickValues(self, minVal, maxVal, size, stdTicks):  # noqa: N802, N803
        decades = range(int(np.floor(minVal)), int(np.ceil(maxVal)) + 1)
        per_label = _PIXELS_PER_LABEL * (
            1 if self.orientation in ("left", "right") else 2.2
        )
        room = max(2, int(size / per_label))
        ticks: list[float] = []
        for mantissas in (*_NICE_MANTISSAS, _ALL_MANTISSAS):
            ticks = [
                d + np.log10(m)
                for d in decades
                for m in mantissas
                if minVal <= d + np.log10(m) <= maxVal
            ]
            if len(ticks) >= 3:
                break
        step = int(np.ceil(len(ticks) / room)) or 1
        return [(None, ticks[::step])]

    def logTickStrings(self, values, scale, spacing):  # noqa: N802
        return [f"{10.0**v:.2g}" for v in values]


def use_log_axis(plot: pg.PlotWidget, side: str) -> None:
    """Show ``side`` (``"left"`` or ``"bottom"``) of ``plot`` on a :class:`LogAxis`."""
    old = plot.getAxis(side)
    label, grid = old.labelText, old.grid
    plot.setAxisItems({side: LogAxis(side)})
    axis = plot.getAxis(side)
    axis.enableAutoSIPrefix(False)
    axis.setGrid(grid)
    plot.setLabel(side, label)
    if side == "left":
        plot.setLogMode(y=True)
    else:
        plot.setLogMode(x=True)


def style_plot(
    plot: pg.PlotWidget,
    title: str,
    left: str,
    bottom: str = "epoch",
    legend_corner: tuple[float, float] | None = (1, 0),
) -> pg.PlotWidget:
    """Give ``plot`` a title, labelled axes, a light grid and a legend.

    ``legend_corner`` is ``(x, y)`` of the corner the legend sits in (``(1, 0)``
    top right, ``(1, 1)`` bottom right, ...), where the curves are not;
    ``None`` for no legend (a single curve named by the title).
    """
    plot.setTitle(title, size="10pt")
    plot.setLabel("left", left)
    plot.setLabel("bottom", bottom)
    plot.showGrid(x=True, y=True, alpha=0.25)
    if legend_corner is not None:
        legend = plot.addLegend(labelTextSize="9pt")
        x, y = legend_corner
        legend.anchor(
            itemPos=legend_corner,
            parentPos=legend_corner,
            offset=(-10 if x else 10, -10 if y else 10),
        )
        legend.setBrush(pg.mkBrush(255, 255, 255, 170))  # readable over the grid
        legend.setPen(pg.mkPen("#c8c8c8"))
    plot.setMinimumHeight(140)
    for axis in ("left", "bottom"):
        plot.getAxis(axis).enableAutoSIPrefix(False)  # "x0.001" labels confuse readers
    return plot


def styled_plot(
    title: str,
    left: str,
    bottom: str = "epoch",
    legend_corner: tuple[float, float] | None = (1, 0),
) -> pg.PlotWidget:
    """Create a plot widget in the style of :func:`style_plot`."""
    return style_plot(pg.PlotWidget(), title, left, bottom, legend_corner)


#: Width in pixels of the value axis of each stacked curve plot.
LEFT_AXIS_WIDTH = 86


class TrainingCurves(QWidget):
    """Three stacked plots sharing the epoch axis; one point per finished epoch."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plots = {
            "acc": styled_plot("Accuracy", "fraction correct", legend_corner=(1, 1)),
            "loss": styled_plot("Loss", "loss"),
            "lr": styled_plot("Learning rate", "rate", legend_corner=None),
        }
        use_log_axis(self.plots["lr"], "left")
        # Before the first epoch: learning-rate-like ticks (1e-4 to 1e-2), not the
        # log axis' empty default (which reads "3"); the first point re-ranges.
        self.plots["lr"].setYRange(-4.0, -2.0)
        self.plots["lr"].enableAutoRange(axis="y")
        for plot in self.plots.values():
            # One width for the stacked plots' value axes: their epoch axes line
            # up, and "0.0003" fits beside the axis title from the start.
            plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)
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
