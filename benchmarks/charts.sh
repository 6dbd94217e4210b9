#!/usr/bin/env bash
# Redraws the benchmark charts (docs/benchmarks/img/*.png) from BenchmarkDotNet's CSV reports.
#   benchmarks/charts.sh [results folder] [output folder]
# Defaults: BenchmarkDotNet.Artifacts/results (where a run started from the repository root writes) and
# docs/benchmarks/img. Charts are drawn for the reports present: run the benchmarks first (docs/benchmarks.md).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
results="${1:-$root/BenchmarkDotNet.Artifacts/results}"
output="${2:-$root/docs/benchmarks/img}"
dotnet run -c Release --project "$root/benchmarks/Strata.Benchmarks.Charts" -- "$results" "$output"
