"""SQLModel tables of the memory area (filled in by that area's issue)."""
