"""SQLModel tables of the export area (filled in by that area's issue)."""
