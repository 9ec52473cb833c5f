/** The parts of a stored spec that decide whether a run has results to ship. */
export interface ResultsSpecFields {
  workspace?: { git?: string | undefined } | undefined;
  artifacts?: readonly string[] | undefined;
  push?: { branch: string } | undefined;
}

/** A run with a workspace or artifacts ends only once its results are stored (or known missing). */
export function specAsksForResults(spec: unknown): boolean {
  const fields = (spec ?? {}) as ResultsSpecFields;
  return Boolean(fields.workspace) || Boolean(fields.artifacts?.length) || Boolean(fields.push);
}

/** The names result files have on the host and in the store (protocol's runResultFile). */
export const diffResultName = "diff.patch";
export const bundleResultName = "commits.bundle";
export const artifactResultName = (path: string) => `artifacts/${path}`;

/** Why something is missing, as stored in Run.resultsMissing. */
// A type, not an interface: it is stored as JSON, and Prisma's JSON input needs the index signature a type literal has.
export type MissingResult = { name: string; reason: string };

export function missingResults(value: unknown): MissingResult[] {
  if (!Array.isArray(value)) return [];
  return value.filter((entry): entry is MissingResult => typeof entry?.name === "string" && typeof entry?.reason === "string");
}
