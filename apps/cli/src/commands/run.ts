import { readFile } from "node:fs/promises";
import type { CreatedRun, RunSpec } from "@bailey/sdk";
import { type Command, type CommandContext, globalHelp, stringValue, stringValues } from "../command";
import { exitCodeForRun } from "../exit-codes";
import { streamLogs, waitForEnd, writer } from "../follow";
import { CliError, printJson, usageError } from "../output";

/** 90, 90s, 15m, 2h → seconds. */
export function parseTimeout(text: string): number {
  const match = /^(\d+)(s|m|h)?$/.exec(text.trim());
  if (!match) throw usageError(`--timeout takes seconds or a duration like 90s, 15m, 2h; not ${text}`, "run");
  const seconds = Number(match[1]) * { s: 1, m: 60, h: 3600 }[(match[2] ?? "s") as "s" | "m" | "h"];
  if (seconds <= 0) throw usageError("--timeout must be more than 0", "run");
  return seconds;
}

function specFromFlags(context: CommandContext): RunSpec {
  const image = stringValue(context, "image");
  if (!image) throw usageError("Give an image (--image busybox:latest) or a spec file (-f bailey.yaml).", "run");
  const env: Record<string, string> = {};
  for (const pair of stringValues(context, "env")) {
    const equals = pair.indexOf("=");
    if (equals <= 0) throw usageError(`-e takes KEY=VALUE, not ${pair}`, "run");
    env[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  const name = stringValue(context, "name");
  const timeout = stringValue(context, "timeout");
  const sandbox = stringValue(context, "sandbox");
  if (sandbox !== undefined && sandbox !== "gvisor" && sandbox !== "none") throw usageError(`--sandbox is gvisor or none, not ${sandbox}`, "run");
  const dependencies = stringValues(context, "dependency");
  return {
    image,
    ...(name ? { name } : {}),
    ...(context.rest.length ? { command: context.rest } : {}),
    ...(Object.keys(env).length ? { env } : {}),
    ...(timeout ? { resources: { timeoutSeconds: parseTimeout(timeout) } } : {}),
    ...(sandbox ? { sandbox } : {}),
    ...(dependencies.length ? { dependencies } : {}),
  } as RunSpec;
}

const specFlags = ["image", "name", "env", "timeout", "sandbox", "dependency"];

export const run: Command = {
  name: "run",
  summary: "Start a run from flags or a spec file, optionally following it to the end",
  help: `Usage: bailey run [flags] --image IMAGE [-- COMMAND...]
       bailey run [--follow] -f bailey.yaml|moat.yaml

  --image IMAGE        the container image
  --name NAME          a name to find the run by
  -e KEY=VALUE         an environment variable (repeat for more)
  --timeout DURATION   stop the run after this long (seconds, or 90s, 15m, 2h); it ends timed_out
  --sandbox KIND       gvisor (default) or none, as the team's policy allows
  --dependency DEP     docker:host or docker:dind (repeat for more)
  -f, --file FILE      the whole spec from a YAML file: Bailey's fields or a moat.yaml
  --follow             stream the logs and exit with the run's exit code: succeeded 0,
                       failed its exit code (else 1), timed_out 124, cancelled 130, lost 1
  --idempotency-key K  a retry with the same key returns the first run instead of a second one
${globalHelp} (with --follow the logs go to stderr and the finished run to stdout)

Examples:
  bailey run --image busybox:latest --follow -- sh -c 'echo hello'
  bailey run -f moat.yaml --follow`,
  options: {
    image: { type: "string" },
    name: { type: "string" },
    env: { type: "string", short: "e", multiple: true },
    timeout: { type: "string" },
    sandbox: { type: "string" },
    dependency: { type: "string", multiple: true },
    file: { type: "string", short: "f" },
    follow: { type: "boolean" },
    "idempotency-key": { type: "string" },
  },
  maxPositionals: 0,
  async run(context) {
    const file = stringValue(context, "file");
    const idempotencyKey = stringValue(context, "idempotency-key");
    const options = idempotencyKey ? { idempotencyKey } : {};
    const client = await context.client();
    let created: CreatedRun;
    if (file) {
      const mixed = specFlags.filter((flag) => context.values[flag] !== undefined);
      if (mixed.length || context.rest.length)
        throw usageError(`-f takes the whole spec from ${file}: put ${mixed.length ? mixed.map((flag) => `--${flag}`).join(", ") : "the command"} in the file instead.`, "run");
      let yaml: string;
      try {
        yaml = await readFile(file, "utf8");
      } catch (error) {
        throw new CliError(`Cannot read ${file}: ${(error as Error).message}`);
      }
      created = await client.createRunFromYaml(yaml, options);
    } else {
      created = await client.createRun(specFromFlags(context), options);
    }
    const { run: started } = created;
    if (created.ignored.length) process.stderr.write(`Ignored (not supported by Bailey yet): ${created.ignored.join(", ")}\n`);
    if (!context.values.follow) {
      if (context.json) printJson(created);
      else process.stdout.write(`${started.id}\n`);
      return 0;
    }
    if (!context.json) process.stderr.write(`Run ${started.id}${created.created ? "" : " (existing, same idempotency key)"}\n`);
    // --json keeps stdout for the final JSON: the logs go to stderr then.
    await streamLogs(client, started.id, true, writer(context.json ? process.stderr : process.stdout));
    const finished = await waitForEnd(client, started.id);
    const code = exitCodeForRun(finished);
    if (context.json) printJson({ run: finished, exitCode: code });
    else if (finished.state !== "succeeded")
      process.stderr.write(`Run ${finished.id} ${finished.state}${finished.exitCode === null ? "" : ` with exit code ${finished.exitCode}`}${finished.lastError ? `: ${finished.lastError}` : ""}\n`);
    return code;
  },
};
