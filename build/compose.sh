#!/usr/bin/env bash
# Runs samples/compose.yaml here with podman-compose (project "strata-sample"), on the images of build/containers.sh.
#   build/compose.sh up     build the sample image (samples/Dockerfile), then start the services level by level in
#                           depends_on order, each level healthy before the next starts
#   build/compose.sh down   stop and remove the services, their network and volumes; fails if anything remains
# Why a wrapper: podman-compose 1.0.3 (Debian 12) starts services in depends_on order but ignores
# "condition: service_healthy", and podman 4.3 schedules health checks with systemd timers, which a machine without
# systemd lacks. So this script runs the compose file's own health checks (podman healthcheck run) and waits for
# them. Name resolution between services is podman's (netavark + aardvark-dns), as with Docker.
# Environment: STRATA_COMPOSE_OVERRIDE=<file> adds a second compose file (the container test's knobs);
#              API_PORT (default 8080), POSTGRES_PASSWORD as in compose.yaml; STRATA_HEALTH_DEADLINE (s, default 180).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
project=strata-sample
env_file="$root/artifacts/containers/env"
[ -f "$env_file" ] || { echo "compose.sh: no local images yet: run build/containers.sh first" >&2; exit 2; }
# shellcheck source=/dev/null
. "$env_file"
files=(-f "$root/samples/compose.yaml")
[ -n "${STRATA_COMPOSE_OVERRIDE:-}" ] && files+=(-f "$STRATA_COMPOSE_OVERRIDE")
compose() { podman-compose -p "$project" "${files[@]}" "$@"; }
stamp() { date -u +%H:%M:%S; }

# Services by level (a level depends only on the ones before it), read from the compose file.
levels() {
  python3 - "$root/samples/compose.yaml" <<'PY'
import sys, yaml
services = yaml.safe_load(open(sys.argv[1]))["services"]
done = set()
while len(done) < len(services):
    level = [n for n in services if n not in done and all(d in done for d in (services[n].get("depends_on") or {}))]
    if not level:
        sys.exit("compose.sh: depends_on has a cycle")
    print(" ".join(level))
    done.update(level)
PY
}

wait_healthy() { # wait_healthy <service>: runs the service's health check until it passes
  local container="${project}_$1_1" deadline=$((SECONDS + ${STRATA_HEALTH_DEADLINE:-180}))
  until podman healthcheck run "$container" >/dev/null 2>&1; do
    if [ "$(podman inspect --format '{{.State.Status}}' "$container" 2>/dev/null)" != "running" ] || [ $SECONDS -ge $deadline ]; then
      podman logs --tail 30 "$container" >&2 || true
      echo "compose.sh: $1 did not become healthy (container $container; its last log lines are above)" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "compose.sh: $(stamp) $1 healthy ($(awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $started }") s after its start)"
}

case "${1:-}" in
  up)
    echo "compose.sh: $(stamp) building strata-sample:local (samples/Dockerfile)"
    log="$root/artifacts/containers/sample-build.log"
    podman build -f "$root/samples/Dockerfile" --build-arg "SDK_IMAGE=$DOTNET_SDK_IMAGE" \
      --build-arg "RUNTIME_IMAGE=$ASPNET_RUNTIME_IMAGE" -t strata-sample:local "$root" >"$log" 2>&1 \
      || { tail -n 40 "$log" >&2; echo "compose.sh: the sample image did not build (log: $log)" >&2; exit 1; }
    mapfile -t lines < <(levels)
    for line in "${lines[@]}"; do
      read -r -a level <<<"$line"
      echo "compose.sh: $(stamp) starting ${level[*]}"
      started=$EPOCHREALTIME
      compose up -d --no-deps --no-build "${level[@]}" >/dev/null 2>&1 || { compose up -d --no-deps --no-build "${level[@]}"; exit 1; }
      for service in "${level[@]}"; do wait_healthy "$service"; done
    done
    ;;
  down)
    compose down -v -t 30 >/dev/null 2>&1 || true
    podman network rm "${project}_default" >/dev/null 2>&1 || true
    left="$(podman ps -a -q --filter "label=io.podman.compose.project=$project")$(podman volume ls -q --filter "label=io.podman.compose.project=$project")"
    [ -z "$left" ] || { echo "compose.sh: containers or volumes of $project remain: $left" >&2; exit 1; }
    echo "compose.sh: $(stamp) $project is down"
    ;;
  *) echo "usage: build/compose.sh up|down" >&2; exit 2 ;;
esac
