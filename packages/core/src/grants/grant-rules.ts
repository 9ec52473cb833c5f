import { type GrantInjection, grantInjection, grantNamePattern, hostPatternSource } from "@bailey/protocol";
import { AppError } from "../errors";

export { grantNamePattern };
export const grantNameRule = "1 to 64 characters: a letter or digit first, then letters, digits, _, - or . (e.g. github or openai-api)";
export const maxGrantHosts = 64;
export const maxGrantDescriptionLength = 500;

export function parseGrantName(input: string): string {
  const name = input.trim();
  if (!name) throw new AppError("BAD_REQUEST", `Name the grant: ${grantNameRule}.`);
  if (!grantNamePattern.test(name)) throw new AppError("BAD_REQUEST", `"${name.slice(0, 80)}" is not a grant name; use ${grantNameRule}.`);
  return name;
}

/** Each pattern is checked by the proxy's own parser, so whatever is saved here is what the proxy matches. */
export function parseGrantHosts(input: readonly string[]): string[] {
  const hosts = input.map((host) => host.trim());
  if (!hosts.length || hosts.length > maxGrantHosts)
    throw new AppError("BAD_REQUEST", `List the hosts the grant's credential goes to: 1 to ${maxGrantHosts} patterns such as api.github.com or *.example.com (this has ${hosts.length}).`);
  const problems = hosts.flatMap((host, index) => {
    const checked = hostPatternSource.safeParse(host);
    return checked.success ? [] : [`hosts[${index}]: ${checked.error.issues.map((issue) => issue.message).join("; ")}`];
  });
  if (problems.length) throw new AppError("BAD_REQUEST", `Correct the grant's hosts: ${problems.join(" ")}`, { fields: problems });
  const repeated = [...new Set(hosts.filter((host, index) => hosts.findIndex((other) => other.toLowerCase() === host.toLowerCase()) !== index))];
  if (repeated.length) throw new AppError("BAD_REQUEST", `${repeated.join(", ")} listed more than once in the grant's hosts; list each host once.`);
  return hosts;
}

export function parseGrantInjection(input: unknown): GrantInjection {
  const checked = grantInjection.safeParse(input);
  if (!checked.success) throw new AppError("BAD_REQUEST", `Correct the grant's inject: ${checked.error.issues.map((issue) => issue.message).join("; ")}`);
  return checked.data;
}

export function parseGrantDescription(description: string | null | undefined): string | null {
  const trimmed = description?.trim() ?? "";
  if (trimmed.length > maxGrantDescriptionLength) throw new AppError("BAD_REQUEST", `Shorten the description to ${maxGrantDescriptionLength} characters (it has ${trimmed.length}).`);
  return trimmed || null;
}

/** The two columns an injection is stored in. */
export function injectionColumns(inject: GrantInjection): { injectKind: string; injectName: string | null } {
  switch (inject.kind) {
    case "bearer":
      return { injectKind: "bearer", injectName: null };
    case "header":
      return { injectKind: "header", injectName: inject.header };
    case "basic":
      return { injectKind: "basic", injectName: inject.username };
    case "query":
      return { injectKind: "query", injectName: inject.param };
  }
}

/** The injection back from its columns; a row the rules no longer accept is an error naming the grant. */
export function injectionOf(row: { name: string; injectKind: string; injectName: string | null }): GrantInjection {
  const inject =
    row.injectKind === "header"
      ? { kind: "header", header: row.injectName }
      : row.injectKind === "basic"
        ? { kind: "basic", username: row.injectName }
        : row.injectKind === "query"
          ? { kind: "query", param: row.injectName }
          : { kind: row.injectKind };
  const checked = grantInjection.safeParse(inject);
  if (!checked.success) throw new AppError("INTERNAL", `Grant "${row.name}" has a stored injection the rules refuse (${row.injectKind}); an admin should update the grant's inject.`);
  return checked.data;
}
