"""SQLModel tables of the datasets area (filled in by that area's issue)."""
