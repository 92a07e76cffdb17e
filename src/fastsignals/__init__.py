"""fastsignals: a drop-in, much faster django.dispatch.Signal."""

from ._semantics import receiver
from .signal import IMPLEMENTATION, Signal
from .swap import install, is_installed, uninstall

__all__ = ["IMPLEMENTATION", "Signal", "install", "is_installed", "receiver", "uninstall"]
__version__ = "0.1.0"
