#!/usr/bin/env bash
# Makes the local images the sample's Dockerfile and compose file run on, from Debian's packages and this machine's
# .NET (no image registry is needed or named):
#   localhost/strata-debian:bookworm    debootstrap --variant=minbase, from the mirror this machine's apt uses
#   localhost/strata-dotnet-sdk:10.0    + this machine's .NET SDK, CA certificates and NuGet configuration
#   localhost/strata-aspnet:10.0        + this machine's .NET and ASP.NET Core runtimes; user "app", port 8080
#   localhost/strata-redis:7            Debian's redis-server (7.0)
#   localhost/strata-postgres:15        Debian's PostgreSQL 15, with the official image's POSTGRES_* variables
# Each image carries the label org.strata.stamp, a hash of its inputs (Containerfile, base image, .NET versions and
# install times, ...): an image whose stamp matches is reused, a changed input rebuilds it. Podman runs with
# artifacts/containers/containers.conf (runc, low default ulimits); artifacts/containers/env exports it and the
# image names for samples/compose.yaml:  . artifacts/containers/env
#
# Usage: build/containers.sh          (root: installs podman, runc, podman-compose, debootstrap with apt-get)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
here="$root/build/containers"
out="$root/artifacts/containers"
say() { echo "containers.sh: $*"; }
fail() { echo "containers.sh: $*" >&2; exit 2; }

# 1. Tools: podman with runc, podman-compose, debootstrap (Debian's packages).
[ "$(id -u)" = "0" ] || fail "needs root (podman as root, debootstrap). Run: sudo build/containers.sh"
ensure_package() { # ensure_package <command> <debian package>
  if command -v "$1" >/dev/null 2>&1 || dpkg-query -W -f='${Status}' "$2" 2>/dev/null | grep -q 'ok installed'; then
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 || fail "'$1' is missing and there is no apt-get: install the package $2"
  say "installing $2 (apt-get)"
  if [ -z "${STRATA_APT_UPDATED:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq || fail "apt-get update failed: check the machine's apt sources"
    STRATA_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null \
    || fail "apt-get install $2 failed"
}
ensure_package podman podman
ensure_package runc runc
ensure_package podman-compose podman-compose
ensure_package debootstrap debootstrap
ensure_package netavark netavark         # container name resolution (aardvark-dns) for compose's service names
ensure_package aardvark-dns aardvark-dns
command -v dotnet >/dev/null 2>&1 || fail "no 'dotnet' on the PATH: the images copy this machine's .NET 10 installation"

mkdir -p "$out"
# runc: crun refuses this machine's cgroup setup; the machine cannot raise resource limits, so lower the defaults.
cat > "$out/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
events_logger = "file"
CONF
export CONTAINERS_CONF="$out/containers.conf"
podman info >/dev/null 2>&1 || fail "podman does not run here: $(podman info 2>&1 | tail -n 1)
  See why with: CONTAINERS_CONF=$CONTAINERS_CONF podman info. Podman needs runc (apt-get install runc) and a kernel
  with overlay and cgroups; containers.conf there lowers the default ulimits for machines that cannot raise them."

stamp_of() { podman image inspect --format '{{index .Labels "org.strata.stamp"}}' "$1" 2>/dev/null || true; }
hash() { sha256sum | cut -c1-16; }

# 2. The base: Debian bookworm (minbase) from the mirror this machine's apt uses, read at run time.
mirror() {
  local uri
  uri="$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | grep -v security | awk '{print $2}' | head -n 1)"
  [ -n "$uri" ] || uri="$(awk '/^URIs:/ {print $2}' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n 1)"
  [ -n "$uri" ] || fail "no Debian mirror found in /etc/apt/sources.list or /etc/apt/sources.list.d/*.sources"
  echo "$uri"
}
base=localhost/strata-debian:bookworm
base_stamp="$( { mirror; echo minbase-v1; } | hash)"
if [ "$(stamp_of $base)" = "$base_stamp" ]; then
  say "reusing $base"
else
  say "building $base (debootstrap --variant=minbase bookworm)"
  rootfs="$out/rootfs"
  rm -rf "$rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" "$(mirror)" > "$out/debootstrap.log" 2>&1 \
    || fail "debootstrap failed (log: $out/debootstrap.log)"
  # The machine's apt Acquire settings (e.g. a snapshot mirror whose Release files are past Valid-Until).
  grep -hs '^Acquire::' /etc/apt/apt.conf.d/* > "$rootfs/etc/apt/apt.conf.d/99host-acquire" || true
  rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"*_Packages
  tar -C "$rootfs" -c . | podman import --change "LABEL org.strata.stamp=$base_stamp" - "$base" >/dev/null 2>&1
  rm -rf "$rootfs"
fi
base_id="$(podman image inspect --format '{{.Id}}' $base)"

# 3. Images on the base. build_image <name> <Containerfile> <extra stamp input> [podman build arguments...]
build_image() {
  local name="$1" file="$here/$2" extra="$3" stamp
  shift 3
  stamp="$( { cat "$file"; echo "$base_id $extra"; } | hash)"
  if [ "$(stamp_of "$name")" = "$stamp" ]; then
    say "reusing $name"
    return 0
  fi
  say "building $name"
  podman build --quiet --label "org.strata.stamp=$stamp" --build-arg "BASE_IMAGE=$base" -f "$file" -t "$name" "$@" \
    > "$out/build.log" 2>&1 || { tail -n 30 "$out/build.log" >&2; fail "building $name failed (log: $out/build.log)"; }
}

dotnet_root="$(dirname "$(dotnet --list-sdks | grep -m1 '^10\.' | sed 's/.*\[\(.*\)\]/\1/')")"
[ -d "$dotnet_root/sdk" ] || fail "no .NET 10 SDK found (dotnet --list-sdks)"
netcore="$(dotnet --list-runtimes | awk '$1 == "Microsoft.NETCore.App" && $2 ~ /^10\./ {v=$2} END {print v}')"
aspnet="$(dotnet --list-runtimes | awk '$1 == "Microsoft.AspNetCore.App" && $2 ~ /^10\./ {v=$2} END {print v}')"
[ -n "$netcore" ] && [ -n "$aspnet" ] || fail "no .NET 10 and ASP.NET Core 10 runtimes found (dotnet --list-runtimes)"
# A changed install (another version, or the same one reinstalled) changes the stamps.
dotnet_stamp="$(dotnet --list-sdks; dotnet --list-runtimes; stat -c '%n %Y' "$dotnet_root"/sdk/* "$dotnet_root"/shared/*/*)"

# The SDK's build context: this machine's CA certificates and NuGet configuration (the package source the
# repository's nuget.config maps every package to). Written under artifacts/, never committed.
ctx="$out/sdk-context"
rm -rf "$ctx" && mkdir -p "$ctx/ca"
cp /usr/local/share/ca-certificates/*.crt "$ctx/ca/" 2>/dev/null || true
nuget_config="${HOME}/.nuget/NuGet/NuGet.Config"
[ -f "$nuget_config" ] || fail "no NuGet configuration at $nuget_config: the SDK image needs this machine's package source"
cp "$nuget_config" "$ctx/NuGet.Config"
mount=(--volume "$dotnet_root:/opt/host-dotnet:ro")

build_image localhost/strata-dotnet-sdk:10.0 sdk.Containerfile \
  "$dotnet_stamp $(cat "$ctx"/ca/* "$ctx/NuGet.Config" | hash) ${NUGET_CERT_REVOCATION_MODE:-online}" \
  "${mount[@]}" --build-arg "NUGET_CERT_REVOCATION_MODE=${NUGET_CERT_REVOCATION_MODE:-online}" "$ctx"
build_image localhost/strata-aspnet:10.0 aspnet.Containerfile "$dotnet_stamp" "${mount[@]}" \
  --build-arg "NETCORE_VERSION=$netcore" --build-arg "ASPNETCORE_VERSION=$aspnet" "$here"
build_image localhost/strata-redis:7 redis.Containerfile "" "$here"
build_image localhost/strata-postgres:15 postgres.Containerfile "$(cat "$here/postgres-entrypoint.sh")" "$here"

cat > "$out/env" <<ENV
# Written by build/containers.sh: podman's configuration and the local images for samples/compose.yaml.
export CONTAINERS_CONF="$out/containers.conf"
export DOTNET_SDK_IMAGE=localhost/strata-dotnet-sdk:10.0
export ASPNET_RUNTIME_IMAGE=localhost/strata-aspnet:10.0
export REDIS_IMAGE=localhost/strata-redis:7
export POSTGRES_IMAGE=localhost/strata-postgres:15
# Docker's image format keeps the Dockerfile's HEALTHCHECK (podman's default OCI format drops it).
export BUILDAH_FORMAT=docker
ENV
say "images ready; use them with:  . artifacts/containers/env"
