import { type GrantCredential, matchesHost, parseHostPattern, RpcError, type RunCredentials, type RunSpec, rpcErrorCodes } from "@bailey/protocol";

/**
 * How the host's git reaches a run's remote: the credentials of spec.workspace.grant as an HTTP
 * header for that remote's origin, or the deploy key of spec.workspace.sshKeySecret. Held in the
 * agent's memory only (never the record, the journal, a log or argv): an agent restart loses them.
 */
export interface GitAccess {
  remote: string;
  /** GIT_CONFIG_COUNT/KEY/VALUE entries for every git that talks to the remote. */
  configEnv: Record<string, string>;
  /** The deploy key's PEM, written to the run's tmpfs only while git runs. */
  sshKey: string | null;
  /** Values no message may carry. */
  redact: string[];
}

/** The agent's settings for every git that talks to a remote. */
export interface GitSettings {
  /** BAILEY_AGENT_GIT_CA_FILE: the PEM CAs git trusts for https remotes, instead of the system's bundle. */
  caFile?: string;
}

const sshRemote = (url: string) => url.startsWith("ssh://") || /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!\/\/)/.test(url);

/**
 * The access a spec's workspace needs, from this run.create's credentials; refused (before
 * anything is created) when the spec names credentials that are not there or cannot apply.
 */
export function gitAccessFor(runId: string, spec: RunSpec, credentials: RunCredentials | undefined, settings: GitSettings = {}): GitAccess | null {
  const workspace = spec.workspace;
  if (!workspace?.git) {
    if (workspace?.grant || workspace?.sshKeySecret || spec.push) {
      throw new RpcError(
        rpcErrorCodes.invalidParams,
        `Run ${runId}'s workspace has no git remote, so workspace.grant, workspace.sshKeySecret and push have nothing to apply to: add workspace.git or leave them out.`,
        { runId },
      );
    }
    return null;
  }
  const remote = workspace.git;
  const refuse = (problem: string) => {
    throw new RpcError(rpcErrorCodes.invalidParams, `Run ${runId}'s workspace ${problem}`, { runId, remote });
  };
  const access: GitAccess = { remote, configEnv: {}, sshKey: null, redact: [] };
  const config: [string, string][] = [];
  // With or without a grant: a clone of a public repository on a private-CA server needs it too.
  if (settings.caFile && remote.startsWith("https://")) config.push(["http.sslCAInfo", settings.caFile]);
  if (workspace.grant) {
    const grant = (credentials?.grants ?? []).find((candidate) => candidate.name === workspace.grant);
    if (!grant) refuse(`names grant ${workspace.grant}, and run.create carries no credentials for it: send it in credentials.grants.`);
    const header = gitHeaderFor(grant as GrantCredential, remote, refuse);
    access.redact.push((grant as GrantCredential).value, header.split(": ").slice(1).join(": "));
    const origin = new URL(remote).origin;
    // Scoped to the remote's origin, and no redirects: the header never reaches another host.
    config.push([`http.${origin}/.extraHeader`, header], ["http.followRedirects", "false"]);
  }
  if (workspace.sshKeySecret) {
    if (!sshRemote(remote)) refuse(`names sshKeySecret ${workspace.sshKeySecret} for ${remote}, which is not an ssh:// or user@host:path remote: use workspace.grant for https remotes.`);
    const key = credentials?.secrets?.[workspace.sshKeySecret];
    if (key === undefined) refuse(`names sshKeySecret ${workspace.sshKeySecret}, and run.create carries no value for it: send it in credentials.secrets.`);
    access.sshKey = (key as string).endsWith("\n") ? (key as string) : `${key}\n`;
    access.redact.push(key as string);
  }
  config.forEach(([key, value], index) => {
    access.configEnv[`GIT_CONFIG_KEY_${index}`] = key;
    access.configEnv[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  if (config.length) access.configEnv.GIT_CONFIG_COUNT = String(config.length);
  return access;
}

/** The grant's value as the header the proxy would inject; only for an https remote on one of the grant's hosts. */
function gitHeaderFor(grant: GrantCredential, remote: string, refuse: (problem: string) => never): string {
  if (!remote.startsWith("https://")) refuse(`uses grant ${grant.name} for ${remote}; a grant's credentials are only sent over https://: use an https remote, or sshKeySecret for ssh.`);
  const url = new URL(remote);
  const port = url.port ? Number(url.port) : 443;
  if (!grant.hosts.some((source) => matchesHost(parseHostPattern(source), url.hostname, port))) {
    refuse(`uses grant ${grant.name}, which covers ${grant.hosts.join(", ")}, not ${url.host} (the remote's host): add the host to the grant or use another grant.`);
  }
  switch (grant.inject.kind) {
    case "bearer":
      return `Authorization: Bearer ${grant.value}`;
    case "basic":
      return `Authorization: Basic ${Buffer.from(`${grant.inject.username}:${grant.value}`).toString("base64")}`;
    case "header":
      return `${grant.inject.header}: ${grant.value}`;
    case "query":
      return refuse(`uses grant ${grant.name}, which puts its value in a query parameter; git cannot send that: use a bearer, basic or header grant for the repository.`);
  }
}

/** GIT_SSH_COMMAND for an ssh remote: only the given key (or none), never the host user's keys, config or agent; new host keys are remembered per run. */
export function gitSshCommand(keyFile: string | null, knownHostsFile: string): string {
  const quote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;
  return [
    "ssh",
    "-F",
    "/dev/null",
    ...(keyFile ? ["-i", quote(keyFile)] : ["-o", "IdentityFile=none"]),
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    "BatchMode=yes",
    "-o",
    "StrictHostKeyChecking=accept-new",
    "-o",
    `UserKnownHostsFile=${quote(knownHostsFile)}`,
  ].join(" ");
}

export const isSshRemote = sshRemote;
