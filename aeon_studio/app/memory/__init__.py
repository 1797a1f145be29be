"""The memory area of the desktop app."""
