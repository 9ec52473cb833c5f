#!/usr/bin/env bash
# Installs and starts the system components Bailey's tests drive for real:
# a Docker engine with gVisor (runsc) registered, Podman, OpenSSH server,
# Chromium and busybox-static (the rootfs of locally built test images).
# Idempotent: a warm machine skips every step that is already done.
set -euo pipefail

log() { printf '[setup] %s\n' "$*"; }

if [ "$(id -u)" != 0 ]; then
  echo "setup-test-host.sh must run as root (it installs Debian packages and starts dockerd)." >&2
  echo "Run: sudo npm test" >&2
  exit 1
fi

need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v runsc >/dev/null || need+=(runsc)
command -v sshd >/dev/null || [ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v chromium >/dev/null || need+=(chromium)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v podman >/dev/null || need+=(podman)
# Podman 4.3 resolves container names on a network (a sidecar as "buildkit") only with the
# CNI dnsname plugin, a Recommends that --no-install-recommends leaves out.
[ -x /usr/lib/cni/dnsname ] || need+=(golang-github-containernetworking-plugin-dnsname)
command -v ip >/dev/null || need+=(iproute2)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# gVisor is registered with the engine; the runtimeArgs are what lets this runsc
# start networked containers on this kind of machine.
daemon_json=/etc/docker/daemon.json
if ! grep -q '"runsc"' "$daemon_json" 2>/dev/null; then
  log "registering runsc in $daemon_json"
  mkdir -p /etc/docker
  if [ -s "$daemon_json" ]; then
    node -e '
      const fs = require("fs"); const f = process.argv[1];
      const cfg = JSON.parse(fs.readFileSync(f, "utf8"));
      cfg.runtimes = { ...(cfg.runtimes ?? {}), runsc: { path: "/usr/bin/runsc", runtimeArgs: ["--network=host"] } };
      fs.writeFileSync(f, JSON.stringify(cfg, null, 2));' "$daemon_json"
  else
    echo '{"runtimes":{"runsc":{"path":"/usr/bin/runsc","runtimeArgs":["--network=host"]}}}' > "$daemon_json"
  fi
  if [ -S /var/run/docker.sock ] && docker info >/dev/null 2>&1; then
    log "reloading dockerd so it sees runsc"
    pkill -HUP dockerd || true
    sleep 1
  fi
fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  nohup dockerd >/var/log/dockerd.log 2>&1 &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { echo "dockerd did not start; see /var/log/dockerd.log" >&2; tail -20 /var/log/dockerd.log >&2; exit 1; }
fi
docker info --format '{{json .Runtimes}}' | grep -q runsc || { echo "dockerd is running without runsc registered; restart it after editing $daemon_json" >&2; exit 1; }

# A tiny local image stands in for what a registry would serve: busybox as a rootfs.
if ! docker image inspect bailey-test/busybox:latest >/dev/null 2>&1; then
  log "building local image bailey-test/busybox"
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/proc" "$root/sys" "$root/dev"
  cp /bin/busybox "$root/bin/busybox"
  for app in $(/bin/busybox --list); do [ "$app" = busybox ] || ln -sf busybox "$root/bin/$app"; done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' - bailey-test/busybox:latest >/dev/null
  rm -rf "$root"
fi
log "ready: docker $(docker version --format '{{.Server.Version}}'), runtimes $(docker info --format '{{range $k, $v := .Runtimes}}{{$k}} {{end}}')"
