/**
 * spec.artifacts' globs, matched against paths relative to the workspace: `*` and `?` stay within
 * one segment, a `**` segment spans any number of them (none included). Dotfiles match too.
 */
export class ArtifactGlob {
  private readonly segments: (RegExp | "**")[];
  constructor(readonly source: string) {
    this.segments = source
      .split("/")
      .filter((segment) => segment !== "" && segment !== ".")
      .map((segment) => (segment === "**" ? "**" : segmentPattern(segment)));
  }

  /** Whether a file at this relative path (segments) matches. */
  matches(path: readonly string[]): boolean {
    return matchFrom(this.segments, 0, path, 0);
  }

  /** Whether a file below this directory (segments) could match: directories that cannot are not walked. */
  mayMatchBelow(dir: readonly string[]): boolean {
    return prefixMayMatch(this.segments, 0, dir, 0);
  }
}

function segmentPattern(segment: string): RegExp {
  const body = [...segment].map((char) => (char === "*" ? "[^/]*" : char === "?" ? "[^/]" : char.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("");
  return new RegExp(`^${body}$`);
}

function matchFrom(segments: readonly (RegExp | "**")[], at: number, path: readonly string[], index: number): boolean {
  if (at === segments.length) return index === path.length;
  const segment = segments[at];
  if (segment === "**") {
    for (let skip = index; skip <= path.length; skip++) if (matchFrom(segments, at + 1, path, skip)) return true;
    return false;
  }
  return index < path.length && (segment as RegExp).test(path[index] as string) && matchFrom(segments, at + 1, path, index + 1);
}

function prefixMayMatch(segments: readonly (RegExp | "**")[], at: number, dir: readonly string[], index: number): boolean {
  if (index === dir.length) return at < segments.length;
  if (at === segments.length) return false;
  const segment = segments[at];
  if (segment === "**") return true;
  return (segment as RegExp).test(dir[index] as string) && prefixMayMatch(segments, at + 1, dir, index + 1);
}
