"""``python -m nnscratch.cli``: the same as the ``nnscratch`` command."""

from __future__ import annotations

import sys

from nnscratch.cli import main

sys.exit(main())
