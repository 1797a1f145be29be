"""The models area of the desktop app."""
