"""oss-scout: benchmarks."""
