import { createReadStream, existsSync } from "node:fs";

// Debian's node (the nodejs package install.sh suggests) keeps some of its builtins outside the
// binary: libnode reads acorn, cjs-module-lexer and undici from /usr/share/nodejs at start and
// aborts without them ("Cannot load externalized builtin"). Their paths are compiled into the
// binary or libnode as plain strings, so they are found there rather than listed per distribution.

const scriptPath = /\/usr\/[\w@.+/-]{1,200}\.[cm]?js(?![\w.])/g;
const chunkBytes = 1024 * 1024;
// A path cut by a chunk boundary is read whole from the next chunk's start.
const overlapBytes = 256;

/** Scripts under /usr that `binaries` name and the host has: the externalized builtins node loads at start. */
export async function externalizedBuiltinsOf(binaries: string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const binary of binaries) for (const candidate of await absoluteScriptPathsIn(binary)) found.add(candidate);
  return [...found].filter((candidate) => existsSync(candidate)).sort();
}

export async function absoluteScriptPathsIn(file: string): Promise<string[]> {
  const found = new Set<string>();
  let carry = "";
  for await (const chunk of createReadStream(file, { highWaterMark: chunkBytes })) {
    const text = carry + (chunk as Buffer).toString("latin1");
    for (const match of text.matchAll(scriptPath)) found.add(match[0]);
    carry = text.slice(-overlapBytes);
  }
  return [...found];
}
