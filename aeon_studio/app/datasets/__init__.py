"""The datasets area of the desktop app."""
