"""The training area of the desktop app."""
