"""SQLModel tables of the training area (filled in by that area's issue)."""
