"""The chat area of the desktop app."""
