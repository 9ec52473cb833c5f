import { cliEnv } from "../env";
import { createInterface } from "node:readline/promises";
import { BaileyApiError, createBaileyClient } from "@bailey/sdk";
import { type Command, globalHelp, stringValue } from "../command";
import { configPath, readConfig, writeConfig } from "../config";
import { CliError, printJson } from "../output";

async function ask(question: string): Promise<string> {
  if (!process.stdin.isTTY) {
    // A token piped in: `echo "$TOKEN" | bailey login --url ...`.
    let text = "";
    for await (const chunk of process.stdin) text += chunk;
    return text.trim();
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await prompt.question(question)).trim();
  } finally {
    prompt.close();
  }
}

export const login: Command = {
  name: "login",
  summary: "Store Bailey's URL and an API token, after checking them",
  help: `Usage: bailey login [--url URL] [--token TOKEN]

Checks the token with a call to Bailey, then stores {url, token} in
$XDG_CONFIG_HOME/bailey/config.json (else ~/.config/bailey/config.json), readable by
you only (0600). Without --token, reads it from the terminal or from stdin. BAILEY_URL and
BAILEY_TOKEN, when set, override the stored values for every command.

  --url URL      where Bailey is, e.g. https://bailey.example.com (default: BAILEY_URL, or the stored one)
  --token TOKEN  an API token (bly_...) from Settings → API tokens
${globalHelp}`,
  options: { url: { type: "string" }, token: { type: "string" } },
  maxPositionals: 0,
  async run(context) {
    const stored = await readConfig();
    const url = stringValue(context, "url") ?? cliEnv().BAILEY_URL ?? stored.url;
    if (!url) throw new CliError("Which Bailey? Give its address: bailey login --url https://bailey.example.com");
    if (!/^https?:\/\//.test(url)) throw new CliError(`${url} is not an http(s) URL: give it with its scheme, e.g. https://${url}`);
    const token = stringValue(context, "token") ?? (await ask("API token (bly_...): "));
    if (!token) throw new CliError("No token given: create one under Settings → API tokens and pass it with --token.");

    const client = createBaileyClient({ url, token });
    let note: string | undefined;
    try {
      await client.listRuns({ limit: 1 });
    } catch (error) {
      // A valid token without runs:read is still a token Bailey accepts: store it, and say so.
      if (!(error instanceof BaileyApiError && error.code === "FORBIDDEN")) throw error;
      note = `the token works but cannot list runs (${error.message})`;
    }
    const file = configPath();
    await writeConfig({ url, token });
    if (context.json) printJson({ url, configPath: file, ...(note ? { note } : {}) });
    else process.stderr.write(`Logged in to ${url}; stored in ${file}${note ? `\nNote: ${note}` : ""}\n`);
    return 0;
  },
};
