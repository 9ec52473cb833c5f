import { type ParseArgsConfig, parseArgs } from "node:util";
import { createBaileyClient, type BaileyClient } from "@bailey/sdk";
import { resolveCredentials } from "./config";
import { usageError } from "./output";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** What every command gets: its parsed flags, positionals, what followed `--`, and the client. */
export interface CommandContext {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
  /** Everything after the first `--`, untouched (a command to run). */
  rest: string[];
  json: boolean;
  client: () => Promise<BaileyClient>;
}

export interface Command {
  name: string;
  summary: string;
  /** The help text after the summary: usage line, flags, examples. */
  help: string;
  options: Options;
  /** Positionals the command takes, at most. */
  maxPositionals: number;
  run(context: CommandContext): Promise<number>;
}

export const globalOptions = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies Options;

export const globalHelp = `  --json      machine-readable output on stdout (errors too), nothing else there
  -h, --help  this help`;

export function parseCommand(command: Command, argv: string[]): CommandContext & { help: boolean } {
  const dashes = argv.indexOf("--");
  const own = dashes === -1 ? argv : argv.slice(0, dashes);
  const rest = dashes === -1 ? [] : argv.slice(dashes + 1);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: own, options: { ...command.options, ...globalOptions }, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, "."), command.name);
  }
  const values = parsed.values as CommandContext["values"];
  if (parsed.positionals.length > command.maxPositionals) throw usageError(`Unexpected argument: ${parsed.positionals[command.maxPositionals]}`, command.name);
  let client: BaileyClient | undefined;
  return {
    values,
    positionals: parsed.positionals,
    rest,
    json: values.json === true,
    help: values.help === true,
    client: async () => {
      client ??= createBaileyClient(await resolveCredentials());
      return client;
    },
  };
}

export const stringValue = (context: CommandContext, name: string): string | undefined => {
  const value = context.values[name];
  return typeof value === "string" ? value : undefined;
};

export const stringValues = (context: CommandContext, name: string): string[] => {
  const value = context.values[name];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
};

export function requireRunId(context: CommandContext, command: string): string {
  const id = context.positionals[0];
  if (!id) throw usageError("Which run? Give its id (bailey ls lists them).", command);
  return id;
}
