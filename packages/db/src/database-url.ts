/** Parses and checks a Postgres connection URL, with an error that says how to fix it. */
export function parseDatabaseUrl(value: string, variable = "DATABASE_URL"): URL {
  const example = `${variable}=postgresql://bailey:secret@localhost:5432/bailey`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${variable} is not a valid URL (got ${JSON.stringify(redact(value))}). Example: ${example}`);
  }
  if (url.protocol !== "postgresql:" && url.protocol !== "postgres:") {
    throw new Error(`${variable} must be a postgresql:// URL (got scheme "${url.protocol}"). Example: ${example}`);
  }
  if (!url.hostname && !url.searchParams.get("host")) {
    throw new Error(`${variable} has no host. Example: ${example}`);
  }
  if (url.pathname.length <= 1) {
    throw new Error(`${variable} names no database (the path after the host). Example: ${example}`);
  }
  return url;
}

/** The URL with its password masked, for messages and logs. */
export function redact(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = "****";
    return url.toString();
  } catch {
    return value.replace(/:\/\/([^:@/]*):[^@/]*@/, "://$1:****@");
  }
}
