import { secretNamePattern } from "@bailey/protocol";
import { AppError } from "../errors";

/**
 * A secret's name is used as a file name under /run/secrets and is written next to environment
 * variable names, so it is both: a letter or underscore first, then letters, digits, _ or -
 * (the protocol's pattern, so the agent accepts every name saved here).
 */
export { secretNamePattern };

export const secretNameRule = "1 to 64 characters: a letter or _ first, then letters, digits, _ or - (e.g. GITHUB_TOKEN or deploy-key)";

export function parseSecretName(input: string): string {
  const name = input.trim();
  if (!name) throw new AppError("BAD_REQUEST", `Name the secret: ${secretNameRule}.`);
  if (!secretNamePattern.test(name)) throw new AppError("BAD_REQUEST", `"${name.slice(0, 80)}" is not a secret name; use ${secretNameRule}.`);
  return name;
}
