#!/usr/bin/env bash
# Mutation testing with Stryker.NET, pinned in .config/dotnet-tools.json. Not part of build/test.sh or .ci/run: a
# full run takes from minutes to hours per package (every mutant re-runs the tests that cover it).
#
# Usage: build/mutation.sh [Package] [extra Stryker options...]
#   build/mutation.sh Strata.ApiKeys                          one package
#   build/mutation.sh                                          every package under src/ that has tests
#   build/mutation.sh Strata.ApiKeys --mutate '**/Hashing/*.cs' a subset (any Stryker option passes through)
#   build/mutation.sh Strata.ApiKeys --since:main              only code changed since main
# Each package's settings (the test projects that cover it, thresholds, reporters, concurrency) are in
# src/<Package>/stryker-config.json. Reports (json, html, markdown summary) go to artifacts/mutation/<Package>/.
# Environment:
#   STRATA_MUTATION_CONCURRENCY=N   override the configured concurrency (2; keep it low on a shared machine)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

dotnet tool restore >/dev/null

packages=()
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  packages=("$1")
  shift
else
  for config in src/*/stryker-config.json; do
    packages+=("$(basename "$(dirname "$config")")")
  done
fi

status=0
for package in "${packages[@]}"; do
  dir="src/$package"
  if [ ! -f "$dir/stryker-config.json" ]; then
    echo "mutation.sh: $dir/stryker-config.json not found (a package under src/ with tests has one)" >&2
    exit 2
  fi
  output="$root/artifacts/mutation/$package"
  rm -rf "$output"
  mkdir -p "$output"
  extra=()
  if [ -n "${STRATA_MUTATION_CONCURRENCY:-}" ]; then
    extra+=(--concurrency "$STRATA_MUTATION_CONCURRENCY")
  fi
  echo "mutation.sh: $package -> artifacts/mutation/$package/reports/"
  if ! (cd "$dir" && dotnet tool run dotnet-stryker --config-file stryker-config.json --skip-version-check --output "$output" \
      ${extra[@]+"${extra[@]}"} "$@"); then
    echo "mutation.sh: Stryker failed for $package" >&2
    status=1
  fi
done
exit $status
