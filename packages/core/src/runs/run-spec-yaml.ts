import { CST, type Document, isScalar, Lexer, parseDocument } from "yaml";
import { AppError } from "../errors";

export interface IgnoredField {
  field: string;
  reason: string;
}

export interface ParsedYamlSpec {
  spec: unknown;
  ignored: IgnoredField[];
  format: "yaml" | "moat";
}

const maxBytes = 1024 * 1024;
const maxAliases = 50;
// A run spec needs a handful of levels; these limits stay far below where the yaml composer's recursion runs out of stack.
const maxFlowDepth = 32;
const maxIndent = 128;

const dockerDependencies = new Set<unknown>(["docker:host", "docker:dind", "docker"]);
// workspace is Bailey's too (a repository to clone), so it alone does not make a file a moat.yaml.
const moatOnlyKeys = new Set(["agent", "ports", "grants", "runtime", "mounts", "secrets"]);
// A Map, not an object literal, so keys such as "constructor" or "__proto__" never hit Object.prototype.
const unsupportedMoatFields = new Map([
  ["ports", "Bailey does not publish ports yet"],
  ["mounts", "runs execute on remote hosts, so local paths cannot be mounted"],
  ["runtime", "the host picks the container runtime; use sandbox: gvisor or sandbox: none"],
  ["container", "use resources.cpus and resources.memory instead"],
]);
const noImage =
  "moat.yaml has no image; Bailey does not build images from dependencies yet — add image: <an image that has your tools>, e.g. image: node:20, or build: {dockerfileInline: ...} to build one from a Dockerfile";

/** Parses a run spec written in YAML: Bailey's own fields (validated later like JSON) or a moat.yaml, translated with every unsupported field reported. */
export function parseYamlRunSpec(text: string): ParsedYamlSpec {
  if (Buffer.byteLength(text, "utf8") > maxBytes) {
    const message = `The YAML spec is larger than ${maxBytes / 1024 / 1024} MiB`;
    throw new AppError("PAYLOAD_TOO_LARGE", message, { fields: [{ field: "spec", message }] });
  }
  const { doc, mapping } = parseMapping(text);
  if (!isMoat(mapping)) {
    // Unknown keys stay in the spec so the strict validator refuses them, exactly as for JSON.
    const command = mapping.command;
    return { spec: typeof command === "string" ? { ...mapping, command: shell(command) } : mapping, ignored: [], format: "yaml" };
  }
  return { ...translateMoat(mapping, doc), format: "moat" };
}

function parseMapping(text: string): { doc: Document; mapping: Record<string, unknown> } {
  assertShallow(text);
  // Core schema without the YAML 1.1 extras keeps timestamps and the like as strings; an unknown tag is only a warning in `yaml`, so warnings are refused too.
  const doc = parseDocument(text, { schema: "core", resolveKnownTags: false, uniqueKeys: true, prettyErrors: true, logLevel: "error" });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem?.code === "MULTIPLE_DOCS") throw specError(`The spec must be a single YAML document; a second one starts at line ${problem.linePos?.[0].line ?? "?"}`);
  if (problem) throw specError(`Invalid YAML: ${problem.message.split("\n")[0]!.replace(/:$/, "")}`);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: maxAliases });
  } catch (error) {
    const message = (error as Error).message;
    throw specError(message.startsWith("Excessive alias count") ? `Invalid YAML: aliases expand to too many nodes (limit ${maxAliases}); write the values out instead` : `Invalid YAML: ${message}`);
  }
  if (!isMapping(value))
    throw specError(`The spec must be a YAML mapping of fields (e.g. image: node:20), not ${value === null ? "an empty document" : Array.isArray(value) ? "a list" : `a ${typeof value}`}`);
  return { doc, mapping: value };
}

/**
 * The yaml composer recurses once per nesting level, and near the stack limit V8 can abort the whole
 * process instead of throwing, so depth is bounded from the flat token stream before composing. In block
 * context every level needs more indentation (a compact "- " counts as two columns), so the column where
 * a line's content or a "-"/"?" indicator starts bounds the block depth.
 */
function assertShallow(text: string): void {
  let flowDepth = 0;
  let offset = 0;
  let lineOffset = 0;
  let atLineStart = true;
  let isScalarSource = false;
  for (const token of new Lexer().lex(text)) {
    // The token after a scalar marker is raw scalar text, whatever its first character.
    const type: string | null = isScalarSource ? "scalar-source" : CST.tokenType(token);
    isScalarSource = type === "scalar";
    if (type === "flow-seq-start" || type === "flow-map-start") flowDepth += 1;
    if (type === "flow-seq-end" || type === "flow-map-end") flowDepth = Math.max(0, flowDepth - 1);
    const isContent = type !== "space" && type !== "newline" && type !== "comment" && type !== "doc-mode";
    const opensBlock = (atLineStart && isContent) || type === "seq-item-ind" || type === "explicit-key-ind";
    if (flowDepth > maxFlowDepth || (flowDepth === 0 && opensBlock && offset - lineOffset > maxIndent)) {
      throw specError(`The YAML is nested too deeply at line ${text.slice(0, offset).split("\n").length}; a run spec needs only a few levels`);
    }
    if (isContent) atLineStart = false;
    // Marker tokens are the lexer's own and take no room in the source.
    if (type === "scalar" || type === "doc-mode" || type === "flow-error-end") continue;
    const newline = token.lastIndexOf("\n");
    if (newline >= 0) lineOffset = offset + newline + 1;
    if (type === "newline") atLineStart = true;
    offset += token.length;
  }
}

/** moat's egress policies by name: "permissive" is what Bailey calls open. */
const moatEgressPolicies = new Map([
  ["permissive", "open"],
  ["open", "open"],
  ["strict", "strict"],
]);
const moatNetworkKeys = new Set(["policy", "allow"]);

/** Bailey's `secrets` names team secrets (ENV: name); moat's holds references such as op://vault/item. */
const isMoatSecrets = (secrets: unknown) => typeof secrets !== "object" || secrets === null || Object.values(secrets).some((value) => typeof value !== "string" || value.includes("://"));

function isMoat(mapping: Record<string, unknown>): boolean {
  const dependencies = mapping.dependencies;
  return (
    Object.keys(mapping).some((key) => moatOnlyKeys.has(key) && (key !== "secrets" || isMoatSecrets(mapping.secrets))) ||
    (isMapping(mapping.network) && mapping.network.policy === "permissive") ||
    (Array.isArray(dependencies) && dependencies.some((dependency) => !dockerDependencies.has(dependency)))
  );
}

function translateMoat(moat: Record<string, unknown>, doc: Document): { spec: Record<string, unknown>; ignored: IgnoredField[] } {
  if ((moat.image === undefined || moat.image === null) && (moat.build === undefined || moat.build === null))
    throw new AppError("BAD_REQUEST", `The run spec is invalid: image: ${noImage}`, { fields: [{ field: "image", message: noImage }] });
  const spec: Record<string, unknown> = {};
  const ignored: IgnoredField[] = [];
  for (const [key, value] of Object.entries(moat)) {
    switch (key) {
      case "name":
      case "image":
      case "resources":
      case "placement":
      // moat has no Dockerfile builds; Bailey's build field is taken in a moat.yaml as written.
      case "build":
      // Bailey's workspace fields, taken as written: the clone, who runs, what is kept, where it is pushed.
      case "artifacts":
      case "user":
      case "workdir":
      case "push":
        spec[key] = value;
        break;
      case "workspace":
        if (typeof value === "string" && !/^(https?|git|ssh):\/\/|^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:/.test(value))
          ignored.push({ field: key, reason: "runs execute on remote hosts, so a local directory cannot be the workspace; give workspace: {git: <repository URL>, ref: <branch>}" });
        else spec.workspace = typeof value === "string" ? { git: value } : value;
        break;
      case "agent":
        if (Object.hasOwn(moat, "name")) ignored.push({ field: "agent", reason: "name is also given, and it names the run" });
        else spec.name = value;
        break;
      case "command":
        spec.command = typeof value === "string" ? shell(value) : value;
        break;
      case "sandbox":
        spec.sandbox = typeof value === "boolean" ? (value ? "gvisor" : "none") : value;
        break;
      case "env":
        spec.env = isMapping(value) ? Object.fromEntries(Object.entries(value).map(([name, entry]) => [name, envValue(doc, name, entry)])) : value;
        break;
      case "grants":
        spec.grants = moatGrants(value);
        break;
      case "network":
        spec.network = moatNetwork(value);
        break;
      case "secrets":
        // Bailey's own form (ENV: team secret name) runs as written; moat's references cannot be resolved here.
        if (isMoatSecrets(value)) ignored.push({ field: key, reason: "secret references (op://, ssm://) are not resolved yet; name team secrets instead (secrets: {ENV_NAME: secret-name})" });
        else spec.secrets = value;
        break;
      case "dependencies":
        if (!Array.isArray(value)) {
          spec.dependencies = value;
          break;
        }
        spec.dependencies = value.filter((dependency) => dockerDependencies.has(dependency));
        value.forEach((dependency, index) => {
          if (!dockerDependencies.has(dependency))
            ignored.push({ field: `dependencies[${index}]`, reason: `Bailey does not install language dependencies yet (${String(dependency)}); use an image that has it` });
        });
        break;
      default:
        ignored.push({ field: key, reason: unsupportedMoatFields.get(key) ?? "not a Bailey or moat.yaml field" });
    }
  }
  return { spec, ignored };
}

/**
 * moat's grants name its built-in credential providers; here each names a team grant (Grants
 * page), checked when the run is created. moat's scoped form (github:repo) has no equivalent.
 */
function moatGrants(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  value.forEach((grant, index) => {
    if (typeof grant === "string" && grant.includes(":"))
      throw fieldError(
        `grants[${index}]`,
        `"${grant.slice(0, 80)}" is a moat grant with a scope; Bailey grants are team grants named without one. Create a grant on the Grants page (its hosts and secret say what it reaches) and list its name, e.g. grants: [${grant.split(":")[0]}]`,
      );
  });
  return value;
}

/** moat's `network: {policy: permissive | strict, allow: [host]}`; anything else in it is refused, never dropped. */
function moatNetwork(value: unknown): unknown {
  if (!isMapping(value)) throw fieldError("network", "network must be a mapping: network: {policy: strict, allow: [api.example.com]}");
  for (const key of Object.keys(value)) {
    if (!moatNetworkKeys.has(key)) throw fieldError(`network.${key}`, `Bailey's network has only policy and allow; remove ${key.slice(0, 40)}`);
  }
  if (value.policy === undefined) return value;
  const policy = typeof value.policy === "string" ? moatEgressPolicies.get(value.policy) : undefined;
  if (!policy) throw fieldError("network.policy", `network.policy must be permissive (open) or strict, not ${JSON.stringify(value.policy)?.slice(0, 40)}`);
  return { ...value, policy };
}

/** moat reads env values as strings, so `VERSION: 1.10` must stay "1.10", not become "1.1". */
function envValue(doc: Document, name: string, value: unknown): unknown {
  if (typeof value !== "number" && typeof value !== "boolean") return value;
  const node = doc.getIn(["env", name], true);
  return isScalar(node) && typeof node.source === "string" ? node.source : String(value);
}

function shell(command: string): string[] {
  return ["/bin/sh", "-c", command];
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fieldError(field: string, message: string): AppError {
  return new AppError("BAD_REQUEST", `The run spec is invalid: ${field}: ${message}`, { fields: [{ field, message }] });
}

function specError(message: string): AppError {
  return new AppError("BAD_REQUEST", message, { fields: [{ field: "spec", message }] });
}
