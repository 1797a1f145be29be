"""Aeon Studio: a local-first studio for a personal AI assistant.

``from aeon_studio import Assistant`` is the Python API; it is imported lazily so
that ``import aeon_studio`` (and the GUI start-up) stays light.
"""

__version__ = "0.1.0"
__all__ = ["Assistant", "__version__"]


def __getattr__(name: str):
    if name == "Assistant":
        from .core.assistant import Assistant

        return Assistant
    raise AttributeError(name)
