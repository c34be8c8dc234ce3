"""``python -m aid``: same as the ``aid`` command."""

import sys

from aid.cli import main

if __name__ == "__main__":  # a spawned worker process imports this module too
    sys.exit(main())
