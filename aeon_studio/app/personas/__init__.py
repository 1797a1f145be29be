"""The personas area of the desktop app."""
