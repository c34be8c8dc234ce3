"""Entry script of the frozen AID executables (``AID`` and ``aid-cli``).

Without arguments AID opens the GUI; ``aid-cli --selftest`` checks the bundle.
"""

import multiprocessing
import sys

from aid.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen child process must not rerun main
    sys.exit(main())
