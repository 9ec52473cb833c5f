#!/usr/bin/env bash
# Installs (or upgrades in place) the Bailey agent on a Debian/Ubuntu worker host.
#
#   printf '%s\n' blye_... | sudo bash -c '<fetch install.sh to a temp file, run it>' \
#     https://bailey.example.com/install.sh --enroll-token-file - \
#     --control-plane https://bailey.example.com --sha256 <hex> \
#     --authorized-key 'ssh-ed25519 AAAA... bailey-control-plane' [--host-id NAME]
#
# Bailey's Hosts → Add host shows this line with its values filled in. The enrollment token
# comes on stdin (--enroll-token-file -) or from a file (--enroll-token-file PATH), never as
# an argument: arguments show in `ps` to every local user. With it, the host reports its
# address, SSH port and host-key fingerprint back and comes online; override what it reports
# with --ssh-address, --ssh-port and --ssh-host-key (a .pub file). --control-plane must be
# https:// unless it is a loopback address. Without --control-plane, --agent <url or path>
# names the agent file and nothing is reported back. --allow docker:dind,sandbox:none,docker:host
# lists the escalations this host accepts (none unless listed; a re-run without --allow keeps
# the host's current list; --allow none clears it).
#
# The control plane's key goes to /etc/bailey/authorized_keys (root's, read by sshd for the
# bailey user through /etc/ssh/sshd_config.d/00-bailey-agent.conf), restricted to the relay.
# What the host needs: Node.js >= 18 (Debian 12: apt-get install -y nodejs), a container
# engine (apt-get install -y docker.io; add runsc for gVisor) and openssh-server. Where runsc is
# registered in /etc/docker/daemon.json, runsc-host-uds is added beside it (for docker:host runs
# under gVisor) and dockerd reloaded. Re-running
# upgrades the agent and keeps its journal and runs. `--uninstall` stops and removes it
# (`--purge` also its state).
set -euo pipefail
# Patterns below mean ASCII ranges, whatever the caller's locale.
export LC_ALL=C
umask 022
PATH="$PATH:/usr/sbin"

prefix=/opt/bailey
bin=/usr/local/bin/bailey-agent
start_script=/usr/local/sbin/bailey-agent-start
# What the agent hands a run's workspace over with (chown to the run's user) and reads and removes what that user wrote with; the systemd unit's AmbientCapabilities.
agent_caps="--inh-caps=+chown,+dac_override,+fowner --ambient-caps=+chown,+dac_override,+fowner"
state_dir=/var/lib/bailey-agent
run_dir=/run/bailey
config_dir=/etc/bailey
authorized_keys=$config_dir/authorized_keys
sshd_dropin=/etc/ssh/sshd_config.d/00-bailey-agent.conf
unit=/etc/systemd/system/bailey-agent.service
user=bailey
log_file=/var/log/bailey-agent.log
# Docker's configuration, where runsc-host-uds is registered beside runsc (tests point it elsewhere).
docker_config=${BAILEY_INSTALL_DOCKER_CONFIG:-/etc/docker/daemon.json}

die() { printf 'bailey install: %s\n' "$*" >&2; exit 1; }
say() { printf '[bailey] %s\n' "$*"; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

# Every argument is one line of printable text: a newline could smuggle a second line into
# a file this writes (an unrestricted authorized_keys entry, a setting in agent.env).
for argument in "$@"; do
  [[ "$argument" != *[[:cntrl:]]* ]] || die "an argument contains a control character (newline, carriage return, tab...): paste the install command as one line, exactly as Bailey shows it"
done

agent_source="" sha256="" authorized_key="" host_id="$(hostname)" uninstall=0 purge=0
control_plane="" enroll_token="" enroll_token_file="" ssh_address="" ssh_port="" ssh_host_key="" allow="" allow_given=0
while [ $# -gt 0 ]; do
  option=$1
  shift
  case "$option" in
    --uninstall) uninstall=1; continue ;;
    --purge) uninstall=1; purge=1; continue ;;
    -h|--help) usage; exit 0 ;;
    --enroll-token) die "--enroll-token would show the token in ps to every local user: pass it on stdin instead (printf '%s\n' blye_... | sudo bash install.sh --enroll-token-file - ...), as the install command in Bailey does" ;;
    --agent|--sha256|--authorized-key|--host-id|--control-plane|--enroll-token-file|--ssh-address|--ssh-port|--ssh-host-key|--allow)
      [ $# -gt 0 ] || die "$option needs a value (see --help)"
      value=$1
      shift ;;
    *) die "unknown option $option (see --help)" ;;
  esac
  case "$option" in
    --agent) agent_source=$value ;;
    --sha256) sha256=$value ;;
    --authorized-key) authorized_key=$value ;;
    --host-id) host_id=$value ;;
    --control-plane) control_plane=$value ;;
    --enroll-token-file) enroll_token_file=$value ;;
    --ssh-address) ssh_address=$value ;;
    --ssh-port) ssh_port=$value ;;
    --ssh-host-key) ssh_host_key=$value ;;
    --allow) allow=$value allow_given=1 ;;
  esac
done

[ "$(id -u)" = 0 ] || die "run me as root (sudo bash install.sh ...)"
has_systemd() { [ -d /run/systemd/system ]; }

# Each value is checked against a full-match pattern before it is used anywhere.
url_pattern='^(https?)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$'
path_pattern='^[A-Za-z0-9._/+-]+$'
key_pattern='^(ssh-ed25519|ecdsa-sha2-nistp256|ssh-rsa) [A-Za-z0-9+/]+={0,3}( [A-Za-z0-9@._-]{1,100})?$'
url_scheme() { [[ "$1" =~ $url_pattern ]] && printf '%s' "${BASH_REMATCH[1]}"; }
# check_url OPTION URL: a plain URL, and https unless it stays on this machine.
check_url() {
  [[ "$2" =~ $url_pattern ]] || die "$1 must be a URL like https://bailey.example.com (got '$2')"
  local scheme=${BASH_REMATCH[1]} host=${BASH_REMATCH[2]}
  [ "$scheme" = https ] || [ "$host" = localhost ] || [ "$host" = "[::1]" ] || [[ "$host" =~ ^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] ||
    die "$1 must use https:// (plain http is accepted only for a loopback address: 127.0.0.0/8, [::1], localhost), got '$2'"
}
check_path() { [[ "$2" =~ $path_pattern ]] || die "$1 must be a file path of letters, digits and . _ / + - (got '$2')"; }

# Root writes only into root-owned directories that no other user can write, never through
# a symlink, and replaces a file by renaming a fresh one over it (rename(2) replaces a
# symlink at the target instead of following it).
ensure_root_dir() {
  local dir=$1 mode=$2
  [ ! -L "$dir" ] || die "$dir is a symlink: refusing to write through it; remove it and re-run"
  if [ ! -e "$dir" ]; then install -d -m "$mode" -o root -g root "$dir"; return; fi
  [ -d "$dir" ] || die "$dir is not a directory: move it away and re-run"
  local owner perm
  read -r owner perm < <(stat -c '%u %a' "$dir")
  [ "$owner" = 0 ] || die "$dir is owned by uid $owner, not root: refusing to write into it; chown root $dir (or remove it) and re-run"
  (((8#$perm & 8#022) == 0)) || die "$dir is writable by others (mode $perm): refusing to write into it; chmod go-w $dir and re-run"
}
temp_files=()
# write_root_file PATH MODE < content
write_root_file() {
  local target=$1 mode=$2 dir tmp
  dir=$(dirname "$target")
  ensure_root_dir "$dir" 0755
  [ ! -L "$target" ] || die "$target is a symlink: refusing to write through it; remove it and re-run"
  [ ! -d "$target" ] || die "$target is a directory: move it away and re-run"
  tmp=$(mktemp "$dir/.$(basename "$target").XXXXXX")
  temp_files+=("$tmp")
  cat > "$tmp"
  chmod "$mode" "$tmp"
  mv -fT "$tmp" "$target"
}
# A directory the agent user owns, in a parent only root can change.
ensure_agent_dir() {
  [ ! -L "$1" ] || die "$1 is a symlink: refusing to use it; remove it and re-run"
  [ ! -e "$1" ] || [ -d "$1" ] || die "$1 is not a directory: move it away and re-run"
  install -d -m "$2" -o "$user" -g "$user" "$1"
}
cleanup() { rm -f "${temp_files[@]}"; }
trap cleanup EXIT

# The agent's processes: the agent user's, running this install's bundle. Found in /proc,
# not in a pid file the agent user could write, and signalled as that user: nothing here can
# make root kill another process.
agent_pids() {
  local uid dir key real _
  uid=$(id -u "$user" 2>/dev/null) || return 0
  for dir in /proc/[0-9]*; do
    real=""
    while read -r key real _; do [ "$key" = Uid: ] && break; done 2>/dev/null < "$dir/status" || continue
    [ "$real" = "$uid" ] || continue
    [ "$(tr '\0' ' ' 2>/dev/null < "$dir/cmdline")" = "node $prefix/bailey-agent.cjs serve " ] && printf '%s\n' "${dir#/proc/}"
  done
  return 0
}
signal_as_agent() { runuser -u "$user" -- /bin/sh -c 'kill "$@" 2>/dev/null' sh "$@" || true; }
stop_agent() {
  if has_systemd && [ -f "$unit" ]; then systemctl stop bailey-agent 2>/dev/null || true; fi
  local pids pid
  mapfile -t pids < <(agent_pids)
  [ ${#pids[@]} -gt 0 ] || return 0
  signal_as_agent -TERM "${pids[@]}"
  for _ in $(seq 1 50); do
    for pid in "${pids[@]}"; do [ -d "/proc/$pid" ] && break; done
    [ -d "/proc/$pid" ] || return 0
    sleep 0.1
  done
  mapfile -t pids < <(agent_pids)
  [ ${#pids[@]} -eq 0 ] || signal_as_agent -KILL "${pids[@]}"
}

# sshd rereads its configuration on SIGHUP; only the listener its own root-owned pid file
# names, and only if that process is sshd.
reload_sshd() {
  if has_systemd; then
    systemctl try-reload-or-restart ssh.service 2>/dev/null || systemctl try-reload-or-restart sshd.service 2>/dev/null || say "reload sshd yourself so it reads $sshd_dropin"
    return 0
  fi
  local pid_file pid=""
  pid_file=$( (sshd -T 2>/dev/null || true) | awk '$1 == "pidfile" {print $2; exit}')
  [ -n "$pid_file" ] && [ -f "$pid_file" ] && [ ! -L "$pid_file" ] && [ "$(stat -c %u "$pid_file")" = 0 ] && read -r pid < "$pid_file"
  if [[ "$pid" =~ ^[0-9]+$ ]] && [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(command -v sshd || echo /usr/sbin/sshd)" ]; then
    kill -HUP "$pid"
  else
    say "no running sshd found to reload; one started from now on reads $sshd_dropin"
  fi
}

if [ "$uninstall" = 1 ]; then
  stop_agent
  if has_systemd && [ -f "$unit" ]; then systemctl disable bailey-agent 2>/dev/null || true; rm -f "$unit"; systemctl daemon-reload; fi
  rm -rf "$prefix" "$bin" "$run_dir" "$start_script"
  if [ -e "$sshd_dropin" ] || [ -e "$authorized_keys" ]; then rm -f "$sshd_dropin" "$authorized_keys"; reload_sshd; fi
  if [ "$purge" = 1 ]; then rm -rf "$state_dir" "$config_dir" "$log_file"; userdel -r "$user" 2>/dev/null || true; fi
  say "uninstalled${purge:+ (state purged)}"
  exit 0
fi

if [ -n "$control_plane" ]; then
  check_url --control-plane "$control_plane"
  control_plane="${control_plane%/}"
  [ -n "$agent_source" ] || agent_source="$control_plane/agent/bailey-agent.cjs"
fi
if [ -n "$enroll_token_file" ]; then
  [ -n "$control_plane" ] || die "--enroll-token-file needs --control-plane <Bailey's URL> to report back to"
  if [ "$enroll_token_file" = - ]; then
    [ ! -t 0 ] || die "--enroll-token-file - reads the token from stdin, which is a terminal here: pipe it in (printf '%s\n' blye_... | sudo bash install.sh --enroll-token-file - ...)"
    enroll_token=$(head -c 256)
  else
    check_path --enroll-token-file "$enroll_token_file"
    [ -r "$enroll_token_file" ] && [ ! -d "$enroll_token_file" ] || die "--enroll-token-file: no readable file at $enroll_token_file"
    enroll_token=$(head -c 256 -- "$enroll_token_file")
  fi
  [[ "$enroll_token" =~ ^blye_[A-Za-z0-9_-]{43}$ ]] || die "--enroll-token-file: expected one line holding the blye_... token from Bailey's install command (not shown here); get a fresh command from Hosts → Add host"
  command -v curl >/dev/null || die "curl is needed to report back to Bailey: apt-get install -y curl"
fi
[ -z "$ssh_port" ] || { [[ "$ssh_port" =~ ^[0-9]{1,5}$ ]] && ((10#$ssh_port >= 1 && 10#$ssh_port <= 65535)); } || die "--ssh-port must be a port number, 1-65535 (got '$ssh_port')"
[ -z "$ssh_address" ] || [[ "$ssh_address" =~ ^[A-Za-z0-9:][A-Za-z0-9.:-]{0,252}$ ]] || die "--ssh-address must be a host name or IP address (got '$ssh_address')"
if [ -n "$ssh_host_key" ]; then
  check_path --ssh-host-key "$ssh_host_key"
  [ -f "$ssh_host_key" ] || die "--ssh-host-key: no file at $ssh_host_key"
fi
[ -n "$agent_source" ] || die "--agent <url or path> (or --control-plane <Bailey's URL>) is required"
case "$agent_source" in
  http://*|https://*) check_url --agent "$agent_source" ;;
  *) check_path --agent "$agent_source" ;;
esac
[[ "$sha256" =~ ^[0-9a-f]{64}$ ]] || die "--sha256 <64 hex digits> is required: it is shown next to the install command in Bailey"
[[ "$authorized_key" =~ $key_pattern ]] || die "--authorized-key must be the control plane's public key on one line: ssh-ed25519 AAAA... [comment]"
[[ "$host_id" =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$ ]] || die "--host-id may use letters, digits, '.', '_' and '-' (got '$host_id')"
allow_pattern='^((docker:dind|docker:host|sandbox:none)(,(docker:dind|docker:host|sandbox:none))*)?$'
[ "$allow" != none ] || allow=""
[[ "$allow" =~ $allow_pattern ]] || die "--allow takes a comma list of docker:dind, sandbox:none and docker:host, or none (got '$allow')"
if [ "$allow_given" = 0 ] && [ -f "$config_dir/agent.env" ]; then
  # An upgrade keeps what an admin allowed on this host; only a value of the same shape is kept.
  kept_allow=$(sed -n 's/^BAILEY_ALLOW=//p' "$config_dir/agent.env" | tail -n 1)
  if [[ "$kept_allow" =~ $allow_pattern ]]; then allow=$kept_allow; fi
fi

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
command -v setpriv >/dev/null || missing+=("setpriv (starts the agent with the capabilities it hands workspaces over with): apt-get install -y util-linux")
# Optional: without git the host takes no runs with a workspace (the agent clones them with it).
command -v git >/dev/null || say "git is not installed: runs with a workspace will be refused on this host until it is (apt-get install -y git, then systemctl restart bailey-agent)"
if [ ${#missing[@]} -gt 0 ]; then
  printf 'bailey install: this host is missing:\n' >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi
sshd_errors=$(sshd -t 2>&1) || die "sshd's configuration is invalid already (sshd -t: $sshd_errors): fix it first, the control plane logs in through sshd"

download=$(mktemp)
temp_files+=("$download")
case "$agent_source" in
  http://*|https://*) curl -fsSL --proto "=$(url_scheme "$agent_source")" --proto-redir =https "$agent_source" -o "$download" || die "could not download $agent_source" ;;
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

# sshd reads the control plane's key for the agent user from a root-owned file outside that
# user's home, so the agent (or anything running as it) can neither add a key nor lift the
# key's restrictions. A Match block in a drop-in ends with its file (OpenSSH >= 8.2).
previous_dropin=""
[ ! -f "$sshd_dropin" ] || previous_dropin=$(cat "$sshd_dropin")
restore_dropin() { if [ -n "$previous_dropin" ]; then write_root_file "$sshd_dropin" 0644 <<< "$previous_dropin"; else rm -f "$sshd_dropin"; fi; }
ensure_root_dir "$config_dir" 0755
ensure_root_dir "$(dirname "$sshd_dropin")" 0755
write_root_file "$sshd_dropin" 0644 <<DROPIN
# Written by Bailey's install.sh: the control plane's key for $user is root's, not $user's.
Match User $user
	AuthorizedKeysFile $authorized_keys
DROPIN
if ! sshd_errors=$(sshd -t 2>&1); then
  restore_dropin
  die "sshd refused $sshd_dropin (sshd -t: $sshd_errors); it was removed again"
fi
effective=$(sshd -T -C "user=$user,host=localhost,addr=127.0.0.1" 2>/dev/null | awk '$1 == "authorizedkeysfile" { $1 = ""; print substr($0, 2) }')
if [ "$effective" != "$authorized_keys" ]; then
  restore_dropin
  die "sshd does not apply $sshd_dropin to $user (its AuthorizedKeysFile is '$effective'): /etc/ssh/sshd_config needs 'Include /etc/ssh/sshd_config.d/*.conf' before any Match block, and no earlier drop-in may set AuthorizedKeysFile"
fi

# docker:host runs under gVisor need a runsc that may open host Unix sockets (the engine's). It is
# registered under its own name, runsc-host-uds (runsc's own entry plus --host-uds=open), so every
# other sandboxed container keeps host sockets closed. Only where runsc itself is registered.
reload_dockerd() {
  if has_systemd; then
    systemctl try-reload-or-restart docker.service 2>/dev/null || say "reload dockerd yourself (systemctl reload docker) so it sees runsc-host-uds"
    return 0
  fi
  local pid=""
  # dockerd writes its pid without a newline, which `read` calls a failure.
  if [ -f /var/run/docker.pid ] && [ ! -L /var/run/docker.pid ] && [ "$(stat -c %u /var/run/docker.pid)" = 0 ]; then pid=$(head -c 20 /var/run/docker.pid); fi
  if [[ "$pid" =~ ^[0-9]+$ ]] && [ "$(basename "$(readlink "/proc/$pid/exe" 2>/dev/null)")" = dockerd ]; then
    kill -HUP "$pid"
  else
    say "no running dockerd found to reload; send it SIGHUP (or restart it) so it sees runsc-host-uds"
  fi
}
register_runsc_host_uds() {
  check_path BAILEY_INSTALL_DOCKER_CONFIG "$docker_config"
  [ -f "$docker_config" ] && [ ! -L "$docker_config" ] || return 0
  grep -q '"runsc"' "$docker_config" || return 0
  if grep -q '"runsc-host-uds"' "$docker_config"; then return 0; fi
  local updated mode
  updated=$(node -e '
    const config = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const runsc = config.runtimes && config.runtimes.runsc;
    if (!runsc || !runsc.path) process.exit(3);
    const args = (runsc.runtimeArgs || []).filter((arg) => !String(arg).startsWith("--host-uds"));
    config.runtimes["runsc-host-uds"] = { path: runsc.path, runtimeArgs: [...args, "--host-uds=open"] };
    process.stdout.write(JSON.stringify(config, null, 2) + "\n");' "$docker_config" 2>/dev/null) || {
    say "could not read runsc's entry in $docker_config; for docker:host runs under gVisor, add to its \"runtimes\": \"runsc-host-uds\": {\"path\": \"/usr/bin/runsc\", \"runtimeArgs\": [<runsc's runtimeArgs>, \"--host-uds=open\"]} and restart dockerd"
    return 0
  }
  mode=$(stat -c %a "$docker_config")
  write_root_file "$docker_config" "$mode" <<< "$updated"
  say "registered runsc-host-uds in $docker_config (runsc with --host-uds=open, used for docker:host runs under gVisor only)"
  reload_dockerd
}
register_runsc_host_uds

stop_agent
ensure_root_dir "$prefix" 0755
write_root_file "$prefix/bailey-agent.cjs" 0755 < "$download"
write_root_file "$bin" 0755 <<WRAPPER
#!/bin/sh
set -a
[ -r $config_dir/agent.env ] && . $config_dir/agent.env
set +a
exec node $prefix/bailey-agent.cjs "\$@"
WRAPPER
ensure_agent_dir "$state_dir" 0700
ensure_agent_dir "$run_dir" 0750
# Root's file, readable by the agent user: the wrapper sources it as that user and systemd
# reads it as root. Each value was checked against a full-match pattern above.
write_root_file "$config_dir/agent.env" 0644 <<ENV
BAILEY_HOST_ID=$host_id
BAILEY_AGENT_SOCKET=$run_dir/agent.sock
BAILEY_AGENT_STATE_DIR=$state_dir
# The escalations runs may ask of this host (docker:dind, sandbox:none, docker:host); none
# unless listed. Change it with install.sh --allow, or here and restart the agent.
BAILEY_ALLOW=$allow
ENV

# The control plane's key may run the relay to the daemon and nothing else. Other lines
# (an earlier key of the control plane's) stay; this file only ever holds what root wrote.
read -r key_type key_blob _ <<< "$authorized_key"
kept_keys=""
[ ! -f "$authorized_keys" ] || kept_keys=$(grep -vF -e "$key_type $key_blob" "$authorized_keys" || true)
write_root_file "$authorized_keys" 0644 <<KEYS
${kept_keys:+$kept_keys
}restrict,command="$bin dial-stdio" $authorized_key
KEYS
reload_sshd
if [ -e "/home/$user/.ssh/authorized_keys" ] || [ -L "/home/$user/.ssh/authorized_keys" ]; then
  say "sshd no longer reads /home/$user/.ssh/authorized_keys for $user (the key is in $authorized_keys): remove it when convenient"
fi

if has_systemd; then
  write_root_file "$unit" 0644 <<UNIT
[Unit]
Description=Bailey agent
After=network-online.target docker.service
Wants=docker.service

[Service]
User=$user
# Hands a run's workspace to the run's user (chown) and reads and removes what that user wrote in it.
AmbientCapabilities=CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER
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
  write_root_file "$start_script" 0755 <<START
#!/bin/sh
set -eu
[ ! -L $run_dir ] || { echo "bailey-agent-start: $run_dir is a symlink: refusing to use it" >&2; exit 1; }
install -d -m 0750 -o $user -g $user $run_dir
setpriv --reuid=$user --regid=$user --init-groups $agent_caps -- sh -c 'nohup $bin serve >> $log_file 2>&1 &'
START
  [ ! -L "$log_file" ] || die "$log_file is a symlink: refusing to use it; remove it and re-run"
  if [ -e "$log_file" ]; then
    [ -f "$log_file" ] || die "$log_file is not a regular file: move it away and re-run"
    chown -h "$user:$user" "$log_file"
  else
    install -m 0640 -o "$user" -g "$user" /dev/null "$log_file"
  fi
  "$start_script"
  say "installed without systemd: started by $start_script (log: $log_file)"
fi

for _ in $(seq 1 100); do [ -S "$run_dir/agent.sock" ] && break; sleep 0.1; done
[ -S "$run_dir/agent.sock" ] || die "the agent did not start; see ${log_file} or journalctl -u bailey-agent"
# With the capabilities the service has (AmbientCapabilities), so its workspace check is the agent's.
setpriv --reuid="$user" --regid="$user" --init-groups $agent_caps -- "$bin" doctor || say "doctor found problems (above); runs needing them will be refused"

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
  # The body (it holds the token) goes to curl on stdin: printf is a builtin, not a process.
  body=$(printf '{"token":"%s","address":"%s","sshPort":%s,"sshUser":"%s","hostKeyFingerprint":"%s","agentHostId":"%s"}' "$enroll_token" "$ssh_address" "$ssh_port" "$user" "$fingerprint" "$host_id")
  answer=$(printf '%s' "$body" | curl -sS --proto "=$(url_scheme "$control_plane")" -X POST -H 'content-type: application/json' --data-binary @- -w '\n%{http_code}' "$control_plane/api/v1/hosts/enroll") ||
    die "could not reach $control_plane to report back; the agent is installed: re-run this command once Bailey is reachable"
  code=$(printf '%s' "$answer" | tail -n1)
  response=$(printf '%s' "$answer" | sed '$d')
  [ "$code" = 201 ] || die "Bailey refused the enrollment (HTTP $code): $response"
  status=$(printf '%s' "$response" | sed -n 's/.*"status":"\([a-z_]*\)".*/\1/p')
  say "enrolled in Bailey as $host_id: ${status:-unknown}"
  [ "$status" = online ] || say "Bailey could not reach the agent yet: $response"
fi
