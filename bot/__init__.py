"""oss-scout: bot."""
