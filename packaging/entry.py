"""The bundled app's entry script (PyInstaller runs it as a top-level script, so imports are absolute)."""

import sys

from aeon_studio.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
