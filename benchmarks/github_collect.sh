#!/usr/bin/env bash
# GitHub collection benchmark: scout vs Perceval on a generated vllm-week, 100 ms latency.
# Usage: benchmarks/github_collect.sh [--seed N] [--latency-ms L] [--skip-perceval] [--dataset DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${PYTHON:-python3}" -m benchmarks.github_collect "$@"
