"""The SQLite job store."""
