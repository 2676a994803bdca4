"""oss-scout: classifiers."""
