// `npm run audit:verify -- <export.jsonl> --public-key <audit-signing-key.pub> [--json]`:
// checks an audit export with only the public key, no database. Exit 0: intact and signed;
// 1: tampered, truncated or signed by another key (the first untrustworthy event is named);
// 2: the command was used wrongly.
import { createReadStream, existsSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { loadAuditPublicKeyFile } from "../signing-key";
import { invocationDirectory } from "./env";
import { verifyAuditExport } from "../verify-audit-export";

const usage = "Usage: npm run audit:verify -- <export.jsonl> --public-key <audit-signing-key.pub> [--json]";

function usageError(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseArgs<{ options: { "public-key": { type: "string" }; json: { type: "boolean" } }; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ options: { "public-key": { type: "string" }, json: { type: "boolean" } }, allowPositionals: true });
  } catch (error) {
    usageError((error as Error).message);
  }
  const resolve = (file: string) => path.resolve(invocationDirectory(), file);
  const [exportArg, ...extra] = parsed.positionals;
  if (!exportArg || extra.length) usageError(exportArg ? `One export file at a time (got ${parsed.positionals.length}).` : "Name the export file to verify.");
  if (!parsed.values["public-key"])
    usageError("Give the public key to check signatures with: --public-key <file> (audit-signing-key.pub in Bailey's data directory, or GET /api/v1/audit/public-key).");
  const exportFile = resolve(exportArg);
  if (!existsSync(exportFile)) usageError(`No such export file: ${exportFile}`);
  let key: ReturnType<typeof loadAuditPublicKeyFile>;
  try {
    key = loadAuditPublicKeyFile(resolve(parsed.values["public-key"]));
  } catch (error) {
    usageError((error as Error).message);
  }

  const lines = createInterface({ input: createReadStream(exportFile), crlfDelay: Number.POSITIVE_INFINITY });
  const result = await verifyAuditExport(lines, key);
  if (parsed.values.json) console.log(JSON.stringify(result, null, 2));
  else if (result.valid) {
    console.log(`valid: ${result.events} events of team ${result.teamId}, head ${result.headHash}`);
    console.log(result.signatures.summary);
  } else {
    console.log(`INVALID at event ${result.brokenAtSeq}: ${result.reason}`);
    console.log(result.signatures.summary);
  }
  process.exit(result.valid ? 0 : 1);
}

void main();
