"""oss-scout: sandbox."""
