import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { type GrantInjection, grantInjection, grantValue, type HostPattern, hostPattern } from "@bailey/protocol";

// The proxy's whole configuration, one JSON file the agent writes into the run's proxy/
// directory (a tmpfs, bind-mounted read-only into the proxy only). It holds secrets: the
// grants' values, the token and the CA key.

export const egressConfigFileName = "egress-proxy.json";

const grant = z.object({
  name: z.string().min(1, { error: "a grant needs a name" }),
  hosts: z.array(hostPattern).min(1, { error: 'a grant needs at least one host pattern. Example: ["api.github.com"]' }),
  inject: grantInjection,
  value: grantValue,
});

const configSchema = z
  .object({
    token: z.string().min(16, { error: "token must be at least 16 characters (the agent makes 32 random bytes, hex)" }),
    caCertPem: z.string().optional(),
    caKeyPem: z.string().optional(),
    caCertFile: z.string().optional(),
    caKeyFile: z.string().optional(),
    grants: z.array(grant).default([]),
    allow: z.array(hostPattern).default([]),
    // strict: only granted hosts and `allow`; open: every other host is tunnelled as well (a run with grants under the open policy).
    policy: z.enum(["strict", "open"]).default("strict"),
    host: z.string().default("0.0.0.0"),
    port: z.number().int().min(0).max(65535).default(3128),
  })
  .strict()
  .superRefine((config, context) => {
    if (!(config.caCertPem ?? config.caCertFile) || !(config.caKeyPem ?? config.caKeyFile)) {
      context.addIssue({ code: "custom", message: "the per-run CA is missing: give caCertPem and caKeyPem, or caCertFile and caKeyFile (paths relative to the config directory)" });
    }
    const names = new Set<string>();
    for (const [index, { name }] of config.grants.entries()) {
      if (names.has(name)) context.addIssue({ code: "custom", path: ["grants", index, "name"], message: `two grants are named "${name}"` });
      names.add(name);
    }
  });

export type { GrantInjection };

export interface Grant {
  name: string;
  hosts: HostPattern[];
  inject: GrantInjection;
  value: string;
}

export interface EgressConfig {
  token: string;
  caCertPem: string;
  caKeyPem: string;
  grants: Grant[];
  allow: HostPattern[];
  /** Absent means strict. */
  policy?: "strict" | "open";
  host: string;
  port: number;
}

export class EgressConfigError extends Error {
  override name = "EgressConfigError";
}

/** Validates a parsed config; CA files are read relative to `directory`. */
export async function parseEgressConfig(raw: unknown, directory: string, source = "the egress proxy config"): Promise<EgressConfig> {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new EgressConfigError(`${source} is invalid:\n${parsed.error.issues.map((issue) => `  - ${issue.path.join(".") || "(top level)"}: ${issue.message}`).join("\n")}`);
  }
  const { caCertFile, caKeyFile, ...config } = parsed.data;
  const readPem = async (file: string, what: string) => {
    const resolved = path.resolve(directory, file);
    return readFile(resolved, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new EgressConfigError(`${source}: cannot read ${what} ${resolved} (${error.code ?? error.message})`);
    });
  };
  return {
    ...config,
    caCertPem: config.caCertPem ?? (await readPem(caCertFile!, "caCertFile")),
    caKeyPem: config.caKeyPem ?? (await readPem(caKeyFile!, "caKeyFile")),
  };
}

/** Reads `<directory>/egress-proxy.json`. */
export async function loadEgressConfig(directory: string): Promise<EgressConfig> {
  const file = path.join(directory, egressConfigFileName);
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new EgressConfigError(
      `cannot read the egress proxy config ${file} (${error.code ?? error.message}): the agent writes it into the run's proxy directory; pass that directory with --config-dir or BAILEY_EGRESS_CONFIG_DIR`,
    );
  });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new EgressConfigError(`${file} is not JSON: ${(error as Error).message}`);
  }
  return parseEgressConfig(raw, directory, file);
}
