"""pyqtgraph plots; items are created once and updated with ``setData``."""

import pyqtgraph as pg

pg.setConfigOptions(antialias=True, background="w", foreground="#202020")
