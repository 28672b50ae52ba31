"""Database access behind small repository classes, with numbered SQL migrations."""
