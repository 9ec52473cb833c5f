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
# The CNCF distribution registry: the tests' stand-in for Docker Hub and a private registry.
command -v docker-registry >/dev/null || need+=(docker-registry)
# A real terminal for the CLI's `bailey exec -it` spec: it types into a tmux pane and reads it back.
command -v tmux >/dev/null || need+=(tmux)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# sshd's privilege separation directory: systemd's unit makes it at boot (/run is a tmpfs); without
# systemd nothing does, and `sshd -t` (which install.sh runs) then fails on a freshly booted machine.
mkdir -p /run/sshd && chmod 0755 /run/sshd

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

# docker:host runs under gVisor need a runsc that may open host Unix sockets (the engine's);
# it is registered under its own name so every other sandboxed container keeps them closed.
if ! grep -q '"runsc-host-uds"' "$daemon_json" 2>/dev/null; then
  log "registering runsc-host-uds in $daemon_json"
  node -e '
    const fs = require("fs"); const f = process.argv[1];
    const cfg = JSON.parse(fs.readFileSync(f, "utf8"));
    const runsc = cfg.runtimes.runsc;
    const args = (runsc.runtimeArgs ?? []).filter((arg) => !arg.startsWith("--host-uds"));
    cfg.runtimes["runsc-host-uds"] = { path: runsc.path, runtimeArgs: [...args, "--host-uds=open"] };
    fs.writeFileSync(f, JSON.stringify(cfg, null, 2));' "$daemon_json"
  if [ -S /var/run/docker.sock ] && docker info >/dev/null 2>&1; then
    log "reloading dockerd so it sees runsc-host-uds"
    pkill -HUP dockerd || true
    sleep 1
  fi
fi

if ! docker info >/dev/null 2>&1; then
  # A dockerd that was killed can leave its containerd behind holding the metadata lock; the next
  # dockerd then waits on it and gives up ("timeout waiting for containerd to start"). Clear
  # leftovers first, and try a second time on a slow or busy machine.
  stop_stale_engine() {
    pkill -x dockerd 2>/dev/null || true
    pkill -f 'containerd --config /var/run/docker/containerd' 2>/dev/null || true
    for _ in $(seq 1 20); do pgrep -x dockerd >/dev/null || pgrep -f 'containerd --config /var/run/docker/containerd' >/dev/null || break; sleep 0.5; done
    pkill -9 -x dockerd 2>/dev/null || true
    pkill -9 -f 'containerd --config /var/run/docker/containerd' 2>/dev/null || true
    rm -f /var/run/docker.pid /var/run/docker/containerd/containerd.pid
  }
  for attempt in 1 2; do
    stop_stale_engine
    log "starting dockerd (attempt $attempt)"
    nohup dockerd >/var/log/dockerd.log 2>&1 &
    for _ in $(seq 1 180); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
    docker info >/dev/null 2>&1 && break
    [ "$attempt" = 2 ] || { log "dockerd did not answer within 90 s; restarting it"; cp /var/log/dockerd.log /var/log/dockerd.first-attempt.log; }
  done
  docker info >/dev/null 2>&1 || { echo "dockerd did not start; see /var/log/dockerd.log" >&2; tail -20 /var/log/dockerd.log >&2; exit 1; }
fi
docker info --format '{{json .Runtimes}}' | grep -q '"runsc"' || { echo "dockerd is running without runsc registered; restart it after editing $daemon_json" >&2; exit 1; }
docker info --format '{{json .Runtimes}}' | grep -q '"runsc-host-uds"' || { echo "dockerd is running without runsc-host-uds registered; restart it after editing $daemon_json" >&2; exit 1; }

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
# The same with the host's git (workspace tests commit inside runs, under runc and runsc): busybox
# for the shell, git and its helpers with every shared library ldd names, a uid 1000 user.
if ! docker image inspect bailey-test/git:latest >/dev/null 2>&1; then
  log "building local image bailey-test/git"
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/proc" "$root/sys" "$root/dev" "$root/home/agent" "$root/usr/bin" "$root/usr/lib"
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for app in $(/bin/busybox --list); do [ "$app" = busybox ] || ln -sf busybox "$root/bin/$app"; done
  cp /usr/bin/git "$root/usr/bin/git"
  cp -a /usr/lib/git-core "$root/usr/lib/git-core"
  [ -d /usr/share/git-core ] && mkdir -p "$root/usr/share" && cp -a /usr/share/git-core "$root/usr/share/git-core"
  for lib in $({ ldd /usr/bin/git; find /usr/lib/git-core -type f -perm -u+x -exec ldd {} \; 2>/dev/null; } | grep -o '/[^ ]*\.so[^ ]*' | sort -u); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nagent:x:1000:1000:agent:/home/agent:/bin/sh\n' > "$root/etc/passwd"
  printf 'root:x:0:\nagent:x:1000:\n' > "$root/etc/group"
  chown 1000:1000 "$root/home/agent"
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/usr/bin:/bin' -c 'ENV HOME=/home/agent' - bailey-test/git:latest >/dev/null
  rm -rf "$root"
fi
# Two registries on loopback, as a user's hosts would meet them: an open one (like Docker Hub's
# public images) and a private one with htpasswd logins. Their access logs let tests count pulls.
registry_root=/var/lib/bailey-test-registry
start_registry() { # name port [htpasswd]
  local name=$1 port=$2 dir=$registry_root/$1
  mkdir -p "$dir/storage"
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return; fi
  {
    printf 'version: 0.1\nlog:\n  level: info\n  formatter: json\n  accesslog:\n    disabled: false\n'
    printf 'storage:\n  filesystem:\n    rootdirectory: %s/storage\n  delete:\n    enabled: true\n' "$dir"
    printf 'http:\n  addr: 127.0.0.1:%s\n' "$port"
    if [ -n "${3:-}" ]; then printf 'auth:\n  htpasswd:\n    realm: bailey-test\n    path: %s\n' "$3"; fi
  } > "$dir/config.yml"
  log "starting the $name test registry on 127.0.0.1:$port"
  nohup docker-registry serve "$dir/config.yml" >>"$dir/access.log" 2>&1 &
  for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return; sleep 0.2; done
  echo "the $name test registry did not start; see $dir/access.log" >&2; tail -20 "$dir/access.log" >&2; exit 1
}
mkdir -p "$registry_root/private"
if [ ! -s "$registry_root/private/password" ]; then
  node -e 'process.stdout.write(require("crypto").randomBytes(18).toString("base64url"))' > "$registry_root/private/password"
  chmod 600 "$registry_root/private/password"
fi
if [ ! -s "$registry_root/private/htpasswd" ]; then
  # bcrypt, as the registry requires; bcryptjs is one of the repo's own dependencies.
  node -e 'const b = require("bcryptjs"); const fs = require("fs");
    fs.writeFileSync(process.argv[2], "bailey-test:" + b.hashSync(fs.readFileSync(process.argv[1], "utf8"), 10) + "\n")' \
    "$registry_root/private/password" "$registry_root/private/htpasswd"
fi
start_registry open 5050
start_registry private 5051 "$registry_root/private/htpasswd"
# Podman refuses plain-http registries unless told; Docker allows 127.0.0.0/8 by default.
podman_conf=/etc/containers/registries.conf.d/50-bailey-test.conf
if [ ! -s "$podman_conf" ]; then
  mkdir -p "$(dirname "$podman_conf")"
  printf '[[registry]]\nlocation = "127.0.0.1:5050"\ninsecure = true\n\n[[registry]]\nlocation = "127.0.0.1:5051"\ninsecure = true\n' > "$podman_conf"
fi

log "ready: docker $(docker version --format '{{.Server.Version}}'), runtimes $(docker info --format '{{range $k, $v := .Runtimes}}{{$k}} {{end}}')"
