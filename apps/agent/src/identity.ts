import { randomBytes } from "node:crypto";
import { link, mkdir, open, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { agentId as agentIdSchema } from "@bailey/protocol";
import { syncDirectory } from "./journal/atomic-write";

const identityFile = (stateDir: string) => path.join(stateDir, "agent-id");

/**
 * This machine's identity (`agt_` + 128 random bits in hex): made on the first start, kept in
 * the state dir (mode 0600) and reported in every hello, so the control plane can refuse a
 * second host row for the same machine. A damaged file stops the agent rather than being
 * replaced: a new identity would make this machine look new to the control plane.
 */
export async function loadOrCreateAgentId(stateDir: string): Promise<string> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const file = identityFile(stateDir);
  const existing = await readIdentity(file);
  if (existing !== null) return existing;
  const created = `agt_${randomBytes(16).toString("hex")}`;
  // Unique per call: two first starts in one process must not share (and truncate) one temporary file.
  const temporary = path.join(stateDir, `.agent-id.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const handle = await open(temporary, "w", 0o600);
  try {
    await handle.writeFile(`${created}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    // link() refuses to replace: of two agents starting on one state dir, the first identity wins.
    await link(temporary, file);
    await syncDirectory(stateDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    await rm(temporary, { force: true });
  }
  const stored = await readIdentity(file);
  if (stored === null) throw new Error(`${file} vanished while it was being created; start the agent again.`);
  return stored;
}

async function readIdentity(file: string): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const parsed = agentIdSchema.safeParse(text.trim());
  if (!parsed.success) {
    throw new Error(
      `${file} does not hold an agent identity (expected agt_ and 32 hex digits). Restore it from a backup; or, to register this machine as a new host, remove the host in Bailey, delete the file and start the agent again.`,
    );
  }
  return parsed.data;
}
