"""Picks the engine: the compiled one unless FASTSIGNALS_NO_EXTENSIONS is set or it is missing."""

from __future__ import annotations

import os
import platform
from typing import Literal

IMPLEMENTATION: Literal["cython", "python"]

if os.environ.get("FASTSIGNALS_NO_EXTENSIONS") or platform.python_implementation() != "CPython":
    from ._signal_py import Signal

    IMPLEMENTATION = "python"
else:
    try:
        from ._signal_c import Signal  # type: ignore[assignment]  # same interface: _signal_c.pyi
    except ImportError:
        from ._signal_py import Signal

        IMPLEMENTATION = "python"
    else:
        IMPLEMENTATION = "cython"

__all__ = ["IMPLEMENTATION", "Signal"]
