import { BaileyApiError } from "@bailey/sdk";

/** A failure the user must act on; `usage` ones exit 2, the rest 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export const usageError = (message: string, command?: string) => new CliError(`${message}\nRun \`bailey ${command ? `${command} ` : ""}--help\` for usage.`, 2);

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Columns padded to their widest cell; the last column is not padded. */
export function printTable(headers: string[], rows: string[][]): void {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  process.stdout.write(`${[line(headers), ...rows.map(line)].join("\n")}\n`);
}

/** "3m ago", "2h ago": enough to read a table at a glance. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "-";
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

/** The error on stderr (the API's own message, its code and status); with --json also as JSON on stdout. */
export function reportError(error: unknown, json: boolean): number {
  if (error instanceof BaileyApiError) {
    const where = error.status ? ` (${error.code}, HTTP ${error.status})` : "";
    const fields = error.fields.map((field) => `\n  ${field.field}: ${field.message}`).join("");
    process.stderr.write(`bailey: ${error.message}${where}${fields}\n`);
    if (json) printJson({ error: { code: error.code, message: error.message, status: error.status, ...(error.fields.length ? { fields: error.fields } : {}) } });
    return 1;
  }
  if (error instanceof CliError) {
    process.stderr.write(`bailey: ${error.message}\n`);
    if (json) printJson({ error: { code: error.exitCode === 2 ? "USAGE" : "CLI", message: error.message } });
    return error.exitCode;
  }
  process.stderr.write(`bailey: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  if (json) printJson({ error: { code: "INTERNAL", message: error instanceof Error ? error.message : String(error) } });
  return 1;
}
