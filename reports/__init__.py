"""oss-scout: reports."""
