"""Rules shared by every room (pure: importable from anywhere without cycles)."""
