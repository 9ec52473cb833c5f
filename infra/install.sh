#!/usr/bin/env bash
# Installs (or upgrades in place) the Bailey agent on a Debian/Ubuntu worker host.
#
#   curl -fsSL https://bailey.example.com/install.sh | sudo bash -s -- \
#     --control-plane https://bailey.example.com --enroll-token blye_... --sha256 <hex> \
#     --authorized-key 'ssh-ed25519 AAAA... bailey-control-plane' [--host-id NAME]
#
# Bailey's Hosts → Add host shows this line with its values filled in. With --enroll-token the
# host reports its address, SSH port and host-key fingerprint back and comes online; override
# what it reports with --ssh-address, --ssh-port and --ssh-host-key (a .pub file). Without
# --control-plane, --agent <url or path> names the agent file and nothing is reported back.
#
# What the host needs: Node.js >= 18 (Debian 12: apt-get install -y nodejs) and a container
# engine (apt-get install -y docker.io; add runsc for gVisor). Re-running upgrades the agent and
# keeps its journal and runs. `--uninstall` stops and removes it (`--purge` also its state).
set -euo pipefail

prefix=/opt/bailey
bin=/usr/local/bin/bailey-agent
state_dir=/var/lib/bailey-agent
run_dir=/run/bailey
config_dir=/etc/bailey
unit=/etc/systemd/system/bailey-agent.service
user=bailey
log_file=/var/log/bailey-agent.log

die() { printf 'bailey install: %s\n' "$*" >&2; exit 1; }
say() { printf '[bailey] %s\n' "$*"; }

agent_source="" sha256="" authorized_key="" host_id="$(hostname)" uninstall=0 purge=0
control_plane="" enroll_token="" ssh_address="" ssh_port="" ssh_host_key=""
while [ $# -gt 0 ]; do
  case "$1" in
    --agent) agent_source="${2:-}"; shift 2 ;;
    --sha256) sha256="${2:-}"; shift 2 ;;
    --authorized-key) authorized_key="${2:-}"; shift 2 ;;
    --host-id) host_id="${2:-}"; shift 2 ;;
    --control-plane) control_plane="${2:-}"; shift 2 ;;
    --enroll-token) enroll_token="${2:-}"; shift 2 ;;
    --ssh-address) ssh_address="${2:-}"; shift 2 ;;
    --ssh-port) ssh_port="${2:-}"; shift 2 ;;
    --ssh-host-key) ssh_host_key="${2:-}"; shift 2 ;;
    --uninstall) uninstall=1; shift ;;
    --purge) uninstall=1; purge=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

[ "$(id -u)" = 0 ] || die "run me as root (sudo bash install.sh ...)"
has_systemd() { [ -d /run/systemd/system ]; }

stop_agent() {
  if has_systemd && [ -f "$unit" ]; then
    systemctl stop bailey-agent 2>/dev/null || true
  elif [ -f "$run_dir/agent.pid" ]; then
    pid=$(cat "$run_dir/agent.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$run_dir/agent.pid"
  fi
}

if [ "$uninstall" = 1 ]; then
  stop_agent
  if has_systemd && [ -f "$unit" ]; then systemctl disable bailey-agent 2>/dev/null || true; rm -f "$unit"; systemctl daemon-reload; fi
  rm -rf "$prefix" "$bin" "$run_dir" "/usr/local/sbin/bailey-agent-start"
  if [ "$purge" = 1 ]; then rm -rf "$state_dir" "$config_dir"; userdel -r "$user" 2>/dev/null || true; fi
  say "uninstalled${purge:+ (state purged)}"
  exit 0
fi

if [ -n "$control_plane" ]; then
  [[ "$control_plane" =~ ^https?://[A-Za-z0-9.:-]+(/[A-Za-z0-9._~/-]*)?$ ]] || die "--control-plane must be Bailey's URL, e.g. https://bailey.example.com (got '$control_plane')"
  control_plane="${control_plane%/}"
  [ -n "$agent_source" ] || agent_source="$control_plane/agent/bailey-agent.cjs"
fi
if [ -n "$enroll_token" ]; then
  [ -n "$control_plane" ] || die "--enroll-token needs --control-plane <Bailey's URL> to report back to"
  [[ "$enroll_token" =~ ^blye_[A-Za-z0-9_-]{43}$ ]] || die "--enroll-token must be the blye_... token from Bailey's install command"
  command -v curl >/dev/null || die "curl is needed to report back to Bailey: apt-get install -y curl"
fi
[ -z "$ssh_port" ] || [[ "$ssh_port" =~ ^[0-9]{1,5}$ ]] || die "--ssh-port must be a port number (got '$ssh_port')"
[ -z "$ssh_address" ] || [[ "$ssh_address" =~ ^[A-Za-z0-9.:-]{1,253}$ ]] || die "--ssh-address must be a host name or IP address (got '$ssh_address')"
[ -z "$ssh_host_key" ] || [ -f "$ssh_host_key" ] || die "--ssh-host-key: no file at $ssh_host_key"
[ -n "$agent_source" ] || die "--agent <url or path> (or --control-plane <Bailey's URL>) is required"
[[ "$sha256" =~ ^[0-9a-f]{64}$ ]] || die "--sha256 <64 hex digits> is required: it is shown next to the install command in Bailey"
[[ "$authorized_key" =~ ^(ssh-ed25519|ecdsa-sha2-nistp256|ssh-rsa)\ [A-Za-z0-9+/=]+ ]] || die "--authorized-key must be the control plane's public key (ssh-ed25519 AAAA...)"
[[ "$host_id" =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$ ]] || die "--host-id may use letters, digits, '.', '_' and '-' (got '$host_id')"

# What this host needs, each with the way to get it.
missing=()
if ! command -v node >/dev/null || ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)'; then
  missing+=("Node.js >= 18: apt-get install -y nodejs")
fi
if ! command -v docker >/dev/null && ! command -v podman >/dev/null; then
  missing+=("a container engine: apt-get install -y docker.io (and runsc for gVisor sandboxes)")
fi
command -v sshd >/dev/null || [ -x /usr/sbin/sshd ] || missing+=("an SSH server for the control plane: apt-get install -y openssh-server")
command -v sha256sum >/dev/null || missing+=("sha256sum: apt-get install -y coreutils")
if [ ${#missing[@]} -gt 0 ]; then
  printf 'bailey install: this host is missing:\n' >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi

download=$(mktemp)
trap 'rm -f "$download"' EXIT
case "$agent_source" in
  http://*|https://*) curl -fsSL "$agent_source" -o "$download" || die "could not download $agent_source" ;;
  *) [ -f "$agent_source" ] || die "no agent file at $agent_source"; cp "$agent_source" "$download" ;;
esac
actual=$(sha256sum "$download" | cut -d' ' -f1)
[ "$actual" = "$sha256" ] || die "the agent's SHA-256 is $actual, not the expected $sha256: refusing to install it"

if ! id "$user" >/dev/null 2>&1; then
  say "creating user $user"
  useradd --system --home-dir "/home/$user" --create-home --shell /bin/sh "$user"
fi
# Key-only logins: '*' sets no password without marking the account locked ('!'), which an
# sshd without PAM refuses even for public keys.
usermod -p '*' "$user"
for group in docker podman; do
  if getent group "$group" >/dev/null; then usermod -aG "$group" "$user"; fi
done

stop_agent
install -d -m 0755 "$prefix"
install -m 0755 "$download" "$prefix/bailey-agent.cjs"
cat > "$bin" <<WRAPPER
#!/bin/sh
set -a
[ -r $config_dir/agent.env ] && . $config_dir/agent.env
set +a
exec node $prefix/bailey-agent.cjs "\$@"
WRAPPER
chmod 0755 "$bin"
install -d -m 0700 -o "$user" -g "$user" "$state_dir"
install -d -m 0750 -o "$user" -g "$user" "$run_dir"
install -d -m 0755 "$config_dir"
cat > "$config_dir/agent.env" <<ENV
BAILEY_HOST_ID=$host_id
BAILEY_AGENT_SOCKET=$run_dir/agent.sock
BAILEY_AGENT_STATE_DIR=$state_dir
ENV

# The control plane's key may run the relay to the daemon and nothing else.
ssh_dir="/home/$user/.ssh"
install -d -m 0700 -o "$user" -g "$user" "$ssh_dir"
keys="$ssh_dir/authorized_keys"
touch "$keys"
key_body=$(printf '%s' "$authorized_key" | cut -d' ' -f1,2)
grep -vF "$key_body" "$keys" > "$keys.new" || true
printf 'restrict,command="%s dial-stdio" %s\n' "$bin" "$authorized_key" >> "$keys.new"
mv "$keys.new" "$keys"
chown "$user:$user" "$keys"
chmod 0600 "$keys"

if has_systemd; then
  cat > "$unit" <<UNIT
[Unit]
Description=Bailey agent
After=network-online.target docker.service
Wants=docker.service

[Service]
User=$user
EnvironmentFile=$config_dir/agent.env
ExecStart=$bin serve
Restart=always
RestartSec=2
RuntimeDirectory=bailey
RuntimeDirectoryPreserve=yes

[Install]
WantedBy=multi-user.target
UNIT
  systemctl daemon-reload
  systemctl enable --now bailey-agent >/dev/null
  systemctl restart bailey-agent
  say "installed as the systemd service bailey-agent"
else
  # No systemd (containers, minimal hosts): a plain start script, re-run by this installer.
  cat > /usr/local/sbin/bailey-agent-start <<START
#!/bin/sh
install -d -m 0750 -o $user -g $user $run_dir
runuser -u $user -- sh -c 'nohup $bin serve >> $log_file 2>&1 & echo \$! > $run_dir/agent.pid'
START
  chmod 0755 /usr/local/sbin/bailey-agent-start
  touch "$log_file" && chown "$user:$user" "$log_file"
  /usr/local/sbin/bailey-agent-start
  say "installed without systemd: started by /usr/local/sbin/bailey-agent-start (log: $log_file)"
fi

for _ in $(seq 1 100); do [ -S "$run_dir/agent.sock" ] && break; sleep 0.1; done
[ -S "$run_dir/agent.sock" ] || die "the agent did not start; see ${log_file} or journalctl -u bailey-agent"
runuser -u "$user" -- "$bin" doctor || say "doctor found problems (above); runs needing them will be refused"

fingerprint=""
for key in $ssh_host_key /etc/ssh/ssh_host_ed25519_key.pub /etc/ssh/ssh_host_ecdsa_key.pub /etc/ssh/ssh_host_rsa_key.pub; do
  if [ -f "$key" ]; then fingerprint=$(ssh-keygen -l -E sha256 -f "$key" | awk '{print $2}'); break; fi
done
say "agent $(runuser -u "$user" -- "$bin" version) is running as $user (host id $host_id)"
say "SSH host key fingerprint: ${fingerprint:-unknown (no host key in /etc/ssh: is openssh-server set up?)}"

if [ -n "$enroll_token" ]; then
  [[ "$fingerprint" =~ ^SHA256:[A-Za-z0-9+/]{43}$ ]] || die "cannot report back without the SSH host key's fingerprint; set up openssh-server or pass --ssh-host-key <file.pub>"
  [ -n "$ssh_address" ] || ssh_address=$(hostname -I 2>/dev/null | awk '{print $1}')
  [ -n "$ssh_address" ] || die "cannot tell this host's address; pass --ssh-address <name or IP the control plane can reach>"
  [ -n "$ssh_port" ] || ssh_port=$( (sshd -T 2>/dev/null || true) | awk '$1 == "port" {print $2; exit}')
  [ -n "$ssh_port" ] || ssh_port=22
  say "reporting back to $control_plane as $user@$ssh_address:$ssh_port"
  # Every value was checked against a strict pattern above, so it is safe inside this JSON.
  body=$(printf '{"token":"%s","address":"%s","sshPort":%s,"sshUser":"%s","hostKeyFingerprint":"%s","agentHostId":"%s"}' "$enroll_token" "$ssh_address" "$ssh_port" "$user" "$fingerprint" "$host_id")
  answer=$(curl -sS -X POST -H 'content-type: application/json' --data "$body" -w '\n%{http_code}' "$control_plane/api/v1/hosts/enroll") || die "could not reach $control_plane to report back; the agent is installed: re-run this command once Bailey is reachable"
  code=$(printf '%s' "$answer" | tail -n1)
  response=$(printf '%s' "$answer" | sed '$d')
  [ "$code" = 201 ] || die "Bailey refused the enrollment (HTTP $code): $response"
  status=$(printf '%s' "$response" | sed -n 's/.*"status":"\([a-z_]*\)".*/\1/p')
  say "enrolled in Bailey as $host_id: ${status:-unknown}"
  [ "$status" = online ] || say "Bailey could not reach the agent yet: $response"
fi
