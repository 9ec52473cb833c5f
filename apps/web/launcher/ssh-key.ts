import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { generateClientKey } from "@bailey/agent-client";

/**
 * The control plane's SSH identity for reaching hosts: made once in the data directory
 * (owner-only) and kept, because every enrolled host trusts exactly this key.
 */
export async function loadOrCreateSshKey(dataDir: string, log: (line: string) => void): Promise<string> {
  const file = path.join(dataDir, "ssh", "id_ed25519");
  if (existsSync(file)) return file;
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = generateClientKey();
  await writeFile(file, privateKey, { mode: 0o600 });
  await writeFile(`${file}.pub`, `${publicKey}\n`, { mode: 0o644 });
  log(`made the control plane's SSH key for reaching hosts: ${file}`);
  return file;
}
