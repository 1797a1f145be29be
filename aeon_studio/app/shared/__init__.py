"""The shared area of the desktop app."""
