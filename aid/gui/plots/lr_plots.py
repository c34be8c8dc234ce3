"""Learning-rate plots: the schedule preview and the LR-finder result."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg

from aid.gui.plots.curves import style_plot, use_log_axis

#: Tallest plot on the settings page (they stay readable without scrolling).
PLOT_MAX_HEIGHT = 230


class SchedulePlot(pg.PlotWidget):
    """Learning rate against iteration for the chosen schedule."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        style_plot(
            self,
            "Learning rate during training",
            "learning rate",
            "iteration",
            legend_corner=None,
        )
        use_log_axis(self, "left")
        self.setMinimumHeight(150)
        self.setMaximumHeight(PLOT_MAX_HEIGHT)
        self.setToolTip(
            "How the learning rate will change over the run. One iteration "
            "is one batch; an epoch has (events per epoch ÷ batch size) "
            "iterations."
        )
        self._curve = self.plot([], [], pen=pg.mkPen("#2ca02c", width=2))

    def set_rates(self, iterations: np.ndarray, rates: np.ndarray) -> None:
        self._curve.setData(iterations, rates)

    def rates(self) -> np.ndarray:
        return self._curve.yData if self._curve.yData is not None else np.empty(0)


class LrFinderPlot(pg.PlotWidget):
    """Loss against learning rate (log axis) with the suggested rate marked."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        style_plot(
            self,
            "Learning-rate finder",
            "loss (smoothed)",
            "learning rate",
            legend_corner=None,
        )
        use_log_axis(self, "bottom")
        self.setMinimumHeight(150)
        self.setMaximumHeight(PLOT_MAX_HEIGHT)
        self.setToolTip(
            "Loss while the learning rate grows step by step. Good rates lie "
            "where the loss falls fastest, before it shoots up; the dashed "
            "line marks the suggestion."
        )
        self._curve = self.plot([], [], pen=pg.mkPen("#1f77b4", width=2))
        self._marker = pg.InfiniteLine(
            angle=90, pen=pg.mkPen("#d62728", width=2, style=pg.QtCore.Qt.DashLine)
        )
        self._marker.setVisible(False)
        self.addItem(self._marker)

    def set_result(
        self, rates: Sequence[float], losses: Sequence[float], suggested: float | None
    ) -> None:
        self._curve.setData(np.asarray(rates, float), np.asarray(losses, float))
        if suggested is not None and suggested > 0:
            self._marker.setValue(np.log10(suggested))
            self._marker.setVisible(True)
        else:
            self._marker.setVisible(False)
