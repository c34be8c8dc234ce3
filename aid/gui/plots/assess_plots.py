"""Plots of an assessment: ROC and precision-recall curves, probability histograms.

Curve items are made once per set of class names and then updated with
``setData``; the threshold line of the histogram plot moves with the slider.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pyqtgraph as pg
from PyQt5.QtCore import Qt

from aid.gui.plots.curves import PALETTE, styled_plot


def class_colour(index: int) -> str:
    """Colour of class ``index`` in every assessment plot."""
    return PALETTE[index % len(PALETTE)]


class ClassCurvesPlot:
    """One curve per class (one-vs-rest), AUC in the legend."""

    def __init__(self, title: str, x_label: str, y_label: str, diagonal: bool) -> None:
        # the curves run along the top: the legend goes where they never are
        corner = (1, 1) if diagonal else (0, 1)
        self.widget = styled_plot(title, y_label, x_label, legend_corner=corner)
        self.widget.setXRange(0, 1)
        self.widget.setYRange(0, 1.02)
        if diagonal:
            self.widget.plot([0, 1], [0, 1], pen=pg.mkPen("#aaaaaa", style=Qt.DotLine))
        self._items: dict[str, pg.PlotDataItem] = {}
        self._names: tuple[str, ...] = ()

    def set_curves(self, class_names: Sequence[str], curves: Mapping) -> None:
        """Draw ``curves`` (class name -> :class:`~aid.evaluate.metrics.Curve`)."""
        names = tuple(class_names)
        if names != self._names:
            for item in self._items.values():
                self.widget.removeItem(item)
            self._items = {
                name: self.widget.plot(
                    [], [], pen=pg.mkPen(class_colour(i), width=2), name=name
                )
                for i, name in enumerate(names)
            }
            self._names = names
        legend = self.widget.getPlotItem().legend
        for name, item in self._items.items():
            curve = curves.get(name)
            item.setData(*(([], []) if curve is None else (curve.x, curve.y)))
            label = name if curve is None else f"{name} (AUC {curve.auc:.3f})"
            label_item = legend.getLabel(item) if legend is not None else None
            if label_item is not None:
                label_item.setText(label)

    def curve_data(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Return the data of the curve of class ``name``."""
        x, y = self._items[name].getData()
        return (np.empty(0), np.empty(0)) if x is None else (x, y)


class HistogramPlot:
    """Histograms of p(class of interest) per true class, with the threshold line."""

    def __init__(self) -> None:
        self.widget = styled_plot("Probabilities", "events", "probability")
        self.threshold_line = pg.InfiniteLine(
            0.5,
            angle=90,
            movable=False,
            pen=pg.mkPen("#222222", width=2, style=Qt.DashLine),
            label="threshold",
            labelOpts={"position": 0.5, "color": "#222222"},
        )
        self.threshold_line.setVisible(False)
        self.widget.addItem(self.threshold_line, ignoreBounds=True)
        self._items: dict[str, pg.PlotDataItem] = {}
        self._names: tuple[str, ...] = ()

    def set_histograms(
        self, title: str, edges: np.ndarray, counts: Mapping[str, np.ndarray]
    ) -> None:
        """Step histograms ``counts`` (true class name -> counts) over ``edges``."""
        names = tuple(counts)
        if names != self._names:
            for item in self._items.values():
                self.widget.removeItem(item)
            self._items = {}
            for i, name in enumerate(names):
                colour = pg.mkColor(class_colour(i))
                fill = pg.mkColor(class_colour(i))
                fill.setAlpha(60)
                self._items[name] = self.widget.plot(
                    [0, 1],
                    [0],
                    stepMode="center",
                    fillLevel=0,
                    brush=fill,
                    pen=pg.mkPen(colour, width=2),
                    name=f"true {name}",
                )
            self._names = names
        for name, item in self._items.items():
            item.setData(edges, counts[name], stepMode="center")
        self.widget.getPlotItem().setTitle(title, size="10pt")

    def set_threshold(self, threshold: float | None) -> None:
        """Move the threshold line (hidden when predicting by argmax)."""
        self.threshold_line.setVisible(threshold is not None)
        if threshold is not None:
            self.threshold_line.setValue(float(threshold))
