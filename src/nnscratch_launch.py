"""Start the ``nnscratch`` command so that Ctrl-C is never a traceback, even while importing.

The console script points here rather than at ``nnscratch.cli:main``:
importing the package (NumPy and the library) takes a few tenths of a
second, and a Ctrl-C during that time would otherwise print a
``KeyboardInterrupt`` traceback. This module imports nothing heavy itself.
"""

from __future__ import annotations

import sys

__all__ = ["main"]


def main() -> int:
    """Import the command line, then run it; Ctrl-C at any moment is exit status 130."""
    try:
        from nnscratch.cli import main as run
    except KeyboardInterrupt:
        print("nnscratch: interrupted", file=sys.stderr)
        return 130
    return run()


if __name__ == "__main__":
    sys.exit(main())
