import { cliEnv } from "./env";
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { CliError } from "./output";

export interface Credentials {
  url: string;
  token: string;
}

/** $XDG_CONFIG_HOME/bailey/config.json, else ~/.config/bailey/config.json. */
export function configPath(env: NodeJS.ProcessEnv = cliEnv()): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(homedir(), ".config");
  return path.join(base, "bailey", "config.json");
}

export async function readConfig(file = configPath()): Promise<Partial<Credentials>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<Credentials>;
    return { ...(typeof parsed.url === "string" ? { url: parsed.url } : {}), ...(typeof parsed.token === "string" ? { token: parsed.token } : {}) };
  } catch {
    throw new CliError(`${file} is not valid JSON: run \`bailey login\` again to rewrite it.`);
  }
}

/**
 * Writes the token where only this user can read it: the directory 0700, the file 0600 (through
 * a temporary file created with that mode, so it is never readable by others, even briefly).
 */
export async function writeConfig(credentials: Credentials, file = configPath()): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}

/** BAILEY_URL and BAILEY_TOKEN override what `bailey login` stored, one by one. */
export async function resolveCredentials(env: NodeJS.ProcessEnv = cliEnv()): Promise<Credentials> {
  const stored = await readConfig(configPath(env));
  const url = env.BAILEY_URL || stored.url;
  const token = env.BAILEY_TOKEN || stored.token;
  if (!url || !token) {
    throw new CliError(`Not logged in: run \`bailey login --url https://your-bailey --token bly_...\` (stored in ${configPath(env)}), or set BAILEY_URL and BAILEY_TOKEN.`);
  }
  return { url, token };
}
