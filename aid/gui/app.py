"""Start the desktop application: ``aid gui [FILES...]`` or ``python -m aid.gui.app``.

Only Qt and the light core modules are imported before the window shows;
Keras/TensorFlow load afterwards in a worker thread.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence

_T0 = time.perf_counter()


def main(files: Sequence[str] = (), *, exit_after_show: bool = False) -> int:
    """Show the main window (importing ``files`` if given) and run the event loop.

    ``exit_after_show`` prints the start-up time and quits once the window is
    visible (used to measure start-up).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from PyQt5.QtCore import QTimer
    from PyQt5.QtWidgets import QApplication

    from aid.gui.main_window import MainWindow
    from aid.gui.settings import load_settings
    from aid.gui.theme import apply_theme
    from aid.gui.widgets.icon import app_icon

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("AID")
    app.setWindowIcon(app_icon())
    settings = load_settings()
    apply_theme(app, settings.theme)
    window = MainWindow(settings)
    window.show()
    app.processEvents()
    startup = time.perf_counter() - _T0
    if exit_after_show:
        print(f"window visible after {startup:.2f} s", flush=True)
        QTimer.singleShot(0, window.close)
        return 0
    window.statusBar().showMessage(f"Ready (started in {startup:.1f} s)", 5000)
    QTimer.singleShot(0, window.start_background_work)
    if files:
        window.data.import_paths(list(files))
    return app.exec_()


if __name__ == "__main__":
    arguments = sys.argv[1:]
    measure = "--exit-after-show" in arguments
    sys.exit(
        main(
            [a for a in arguments if a != "--exit-after-show"], exit_after_show=measure
        )
    )
