"""oss-scout: collectors."""
