import { randomBytes } from "node:crypto";
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { GrantCredential } from "@bailey/protocol";
import { createCertificateAuthority } from "./ca";
import { egressConfigFileName } from "./config";

// What a run's egress proxy and main container need on the host tmpfs (see run-tmpfs.ts):
// `proxy/` (config with the grants' values and the token, the CA and its key) mounted into the
// proxy only, and `main/ca.crt` + `main/ca-bundle.crt` mounted into the main container.

/** Where the proxy container sees its `proxy/` directory. */
export const proxyConfigMount = "/run/bailey-egress";
/** Where the main container sees the run's CA and the CA bundle. */
export const mainCaMountDir = "/run/bailey";
export const proxyPort = 3128;
/** The proxy's name on the run network. */
export const proxyAlias = "egress-proxy";

export interface RunEgressFiles {
  proxyDir: string;
  caCertFile: string;
  caBundleFile: string;
  caCertPem: string;
  /** The password of the run's proxy URL: a credential for this run's proxy only. */
  token: string;
}

export interface WriteRunEgressFilesOptions {
  /** The run's prepared tmpfs directory (`prepareRunTmpfs`). */
  runDir: string;
  runId: string;
  grants: GrantCredential[];
  allow: string[];
  policy: "open" | "strict";
  /** Days the run's CA is valid: at least the longest run (7 days) with a margin. */
  caValidDays?: number;
}

/** Writes the proxy's config directory and the main container's CA; the bundle is the CA alone until `writeCaBundle`. */
export async function writeRunEgressFiles({ runDir, runId, grants, allow, policy, caValidDays = 10 }: WriteRunEgressFilesOptions): Promise<RunEgressFiles> {
  const token = randomBytes(32).toString("hex");
  const ca = await createCertificateAuthority(`bailey run ${runId} egress CA`, caValidDays);
  const proxyDir = path.join(runDir, "proxy");
  await mkdir(proxyDir, { mode: 0o700 });
  await writeFile(path.join(proxyDir, "ca.crt"), ca.certPem, { mode: 0o444, flag: "wx" });
  await writeFile(path.join(proxyDir, "ca.key"), ca.keyPem, { mode: 0o400, flag: "wx" });
  const config = {
    token,
    caCertFile: "ca.crt",
    caKeyFile: "ca.key",
    grants: grants.map(({ name, hosts, inject, value }) => ({ name, hosts, inject, value })),
    allow,
    policy,
    host: "0.0.0.0",
    port: proxyPort,
  };
  await writeFile(path.join(proxyDir, egressConfigFileName), JSON.stringify(config), { mode: 0o400, flag: "wx" });
  const mainDir = path.join(runDir, "main");
  const caCertFile = path.join(mainDir, "ca.crt");
  const caBundleFile = path.join(mainDir, "ca-bundle.crt");
  await writeFile(caCertFile, ca.certPem, { mode: 0o444, flag: "wx" });
  await writeFile(caBundleFile, ca.certPem, { mode: 0o444, flag: "wx" });
  return { proxyDir, caCertFile, caBundleFile, caCertPem: ca.certPem, token };
}

/** The image's own CAs (when it has a bundle) first, then the run's: clients that trust one file keep trusting the public ones. */
export async function writeCaBundle(files: Pick<RunEgressFiles, "caBundleFile" | "caCertPem">, imageBundle: string | null): Promise<void> {
  const own = imageBundle?.trim() ? `${imageBundle.trimEnd()}\n` : "";
  // Replaced, not rewritten: the file is read-only, and an agent that is not root may not write it.
  const next = `${files.caBundleFile}.next`;
  await writeFile(next, `${own}${files.caCertPem}`, { mode: 0o444, flag: "wx" });
  await rename(next, files.caBundleFile);
}

export interface ProxyEnvironmentOptions {
  token: string;
  /** Hosts the main container reaches without the proxy besides loopback (a dind run's `buildkit`). */
  direct?: string[];
  /** On Podman, where names do not resolve on an internal network, the proxy's address. */
  proxyHost?: string;
}

/** The main container's variables that send its traffic through the proxy and make it trust the run's CA. */
export function proxyEnvironment({ token, direct = [], proxyHost = proxyAlias }: ProxyEnvironmentOptions): Record<string, string> {
  const proxyUrl = `http://bailey:${token}@${proxyHost}:${proxyPort}`;
  const noProxy = ["localhost", "127.0.0.1", "::1", ...direct].join(",");
  const bundle = `${mainCaMountDir}/ca-bundle.crt`;
  return {
    HTTPS_PROXY: proxyUrl,
    HTTP_PROXY: proxyUrl,
    https_proxy: proxyUrl,
    http_proxy: proxyUrl,
    NO_PROXY: noProxy,
    no_proxy: noProxy,
    NODE_EXTRA_CA_CERTS: `${mainCaMountDir}/ca.crt`,
    SSL_CERT_FILE: bundle,
    REQUESTS_CA_BUNDLE: bundle,
    GIT_SSL_CAINFO: bundle,
    CURL_CA_BUNDLE: bundle,
  };
}
