/** How the egress proxy puts a grant's value into requests, as the API describes it. */
export type Injection = { kind: "bearer" } | { kind: "header"; header: string } | { kind: "basic"; username: string } | { kind: "query"; param: string };

/** `{kind: "header", header: "x-api-key"}` → "header x-api-key": one short phrase for tables. */
export function describeInjection(inject: Injection): string {
  switch (inject.kind) {
    case "bearer":
      return "Bearer";
    case "header":
      return `header ${inject.header}`;
    case "basic":
      return `basic as ${inject.username}`;
    case "query":
      return `query ?${inject.param}`;
  }
}
