#!/usr/bin/env bash
# Runs every test of the repository against real parts, checks the packages, and prints one line:
#   tests: N passed, N failed, N skipped
# Exit code: non-zero on any failure, and when no test ran.
#
# Usage: build/test.sh            (from anywhere; the repository root is found from this file)
# Environment:
#   STRATA_TEST_REDIS=host:port   use that redis-server instead of starting throwaway ones
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# 1. Real parts the tests start themselves: redis-server, Node.js, PostgreSQL and Chromium from Debian's packages.
ensure_package() { # ensure_package <command, or the absolute path of a file the package installs> <debian package>
  local command="$1" package="$2"
  if command -v "$command" >/dev/null 2>&1 || [ -x "/usr/bin/$command" ] || [ -x "/usr/sbin/$command" ] \
    || { [ "${command#/}" != "$command" ] && [ -e "$command" ]; }; then
    return 0
  fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing $package (apt-get)"
    if [ -z "${STRATA_APT_UPDATED:-}" ]; then
      DEBIAN_FRONTEND=noninteractive apt-get update -qq
      STRATA_APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >/dev/null
    return 0
  fi
  echo "test.sh: '$command' is missing. Install it with: sudo apt-get install -y $package" >&2
  exit 2
}
if [ -z "${STRATA_TEST_REDIS:-}" ]; then
  ensure_package redis-server redis-server
fi
# Node.js and npm from Debian's packages: the sample's OpenAPI lint test installs Spectral with npm (once, into
# artifacts/tools) and runs it with node.
ensure_package node nodejs
ensure_package npm npm
# PostgreSQL from Debian's packages: the sample's data tests start their own cluster with initdb and pg_ctl
# (nothing is started by the package on a machine without systemd; the tests need only the binaries).
ensure_package pg_ctlcluster postgresql
# FastAPI on Uvicorn (with uvloop and httptools) from Debian's packages, for Debian's /usr/bin/python3: the benchmark
# smoke pass serves KestrelFastApiBenchmarks' routes with them (the benchmark installs them itself too when root).
ensure_package /usr/lib/python3/dist-packages/fastapi/__init__.py python3-fastapi
ensure_package /usr/lib/python3/dist-packages/uvicorn/__init__.py python3-uvicorn
ensure_package /usr/lib/python3/dist-packages/uvloop/__init__.py python3-uvloop
ensure_package /usr/lib/python3/dist-packages/httptools/__init__.py python3-httptools
# Chromium from Debian's packages: tests/Strata.Dashboard.BrowserTests drives /usr/bin/chromium headless through
# Playwright's driver (shipped in its NuGet package); no browser is downloaded.
ensure_package /usr/bin/chromium chromium
# Containers: tests/Strata.Containers.Tests runs build/containers.sh itself, which installs podman, runc,
# podman-compose and debootstrap with apt and makes the images once per machine (reused while unchanged).

# 2. Tests, with a TRX file per test project.
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
cleanup() {
  # Throwaway servers stop with their test process; this catches any orphaned by a crashed test host
  # (a server whose parent is no longer a dotnet process), and leaves other runs' servers alone.
  local pid parent
  for pid in $(pgrep -f 'strata-test-redis' 2>/dev/null || true); do
    parent="$(ps -o ppid= -p "$pid" 2>/dev/null | tr -d ' ')"
    case "$(ps -o comm= -p "${parent:-1}" 2>/dev/null)" in
      dotnet|testhost*) ;;
      *) kill "$pid" >/dev/null 2>&1 || true ;;
    esac
  done
}
trap cleanup EXIT

# Build everything first (tests, samples, benchmarks; warnings are errors), then test what was built.
dotnet build Library.sln -c Release -nologo -clp:NoSummary

test_status=0
dotnet test Library.sln -c Release --no-build --logger "trx" --results-directory "$results" || test_status=$?

# 3. Packages: a .nupkg and a .snupkg for every project under src/.
pack_status=0
rm -rf "$root/artifacts/packages"
if ls src/*/*.csproj >/dev/null 2>&1; then
  dotnet pack Library.sln -c Release --no-build -o "$root/artifacts/packages" >/dev/null || pack_status=$?
  for project in src/*/*.csproj; do
    name="$(basename "$project" .csproj)"
    for ext in nupkg snupkg; do
      if ! ls "$root/artifacts/packages/$name".[0-9]*."$ext" >/dev/null 2>&1; then
        echo "test.sh: pack produced no $name .$ext" >&2
        pack_status=1
      fi
    done
  done
  [ "$pack_status" = 0 ] && echo "packages: $(ls "$root/artifacts/packages" | wc -l) files in artifacts/packages"
fi

# 4. Benchmarks cannot rot: every benchmark runs once, in process (timings from it mean nothing).
bench_status=0
if [ -f benchmarks/Strata.Benchmarks/Strata.Benchmarks.csproj ]; then
  dotnet run -c Release --no-build --project benchmarks/Strata.Benchmarks -- --filter '*' --smoke \
    > "$root/artifacts/benchmark-smoke.log" 2>&1 || bench_status=$?
  if [ "$bench_status" = 0 ]; then
    echo "benchmarks: smoke pass ok (log: artifacts/benchmark-smoke.log)"
  else
    tail -n 40 "$root/artifacts/benchmark-smoke.log" >&2
  fi
fi

# 5. One summary line counted from the TRX files.
passed=0 failed=0 skipped=0 total=0 files=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  files=$((files + 1))
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  attr() { printf '%s' "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  total=$((total + $(attr total)))
  passed=$((passed + $(attr passed)))
  failed=$((failed + $(attr failed) + $(attr error) + $(attr timeout) + $(attr aborted)))
  skipped=$((skipped + $(attr notExecuted) + $(attr inconclusive)))
done
echo "tests: $passed passed, $failed failed, $skipped skipped"

if [ "$test_status" != 0 ] || [ "$failed" != 0 ]; then
  echo "test.sh: tests failed (dotnet test exit code $test_status)" >&2
  exit 1
fi
if [ "$files" = 0 ] || [ "$total" = 0 ] || [ "$passed" = 0 ]; then
  echo "test.sh: no test ran" >&2
  exit 1
fi
if [ "$pack_status" != 0 ]; then
  echo "test.sh: packing failed" >&2
  exit 1
fi
if [ "$bench_status" != 0 ]; then
  echo "test.sh: benchmark smoke pass failed (exit code $bench_status)" >&2
  exit 1
fi
