/** What the New run form holds, as text the user typed. */
export interface RunFormValues {
  name: string;
  /** Run an image, or build one from a Dockerfile on the host. */
  source: "image" | "build";
  image: string;
  /** The Dockerfile's text (build). */
  dockerfile: string;
  /** The stage to build (build), empty for the last. */
  target: string;
  /** KEY=value lines (build). */
  buildArgs: string;
  command: string;
  env: string;
  docker: "" | "docker:host" | "docker:dind";
  sandbox: "gvisor" | "none";
  labels: string;
  cpus: string;
  memory: string;
  pids: string;
  timeoutSeconds: string;
  /** Names of the team's grants the run may use. */
  grants: string[];
  /** "" leaves it to the team's default egress policy. */
  networkPolicy: "" | "open" | "strict";
  /** Host patterns, one per line. */
  allow: string;
  /** The repository cloned into the run's workspace; empty: no workspace. */
  workspaceGit: string;
  /** Branch, tag or commit; empty: the remote's default branch. */
  workspaceRef: string;
  /** A shallow clone of this many commits; empty: the full history. */
  workspaceDepth: string;
  /** uid or uid:gid; empty: the server's default (non-root for a workspace run). */
  user: string;
  /** Artifact globs relative to the workdir, one per line. */
  artifacts: string;
  /** Push the run's commits to this branch when it ends; empty: no push. */
  pushBranch: string;
}

export const emptyRunForm: RunFormValues = {
  name: "",
  source: "image",
  image: "",
  dockerfile: "",
  target: "",
  buildArgs: "",
  command: "",
  env: "",
  docker: "",
  sandbox: "gvisor",
  labels: "",
  cpus: "",
  memory: "",
  pids: "",
  timeoutSeconds: "",
  grants: [],
  networkPolicy: "",
  allow: "",
  workspaceGit: "",
  workspaceRef: "",
  workspaceDepth: "",
  user: "",
  artifacts: "",
  pushBranch: "",
};

/** `KEY=value` lines; a line without `=` is reported against its field. */
function pairs(text: string, field: string, errors: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  text.split("\n").forEach((line, index) => {
    if (!line.trim()) return;
    const at = line.indexOf("=");
    if (at <= 0) errors[field] ??= `Line ${index + 1} needs the form KEY=value.`;
    else result[line.slice(0, at).trim()] = line.slice(at + 1);
  });
  return result;
}

function number(text: string, field: string, errors: Record<string, string>): number | undefined {
  if (!text.trim()) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) errors[field] = "Enter a number.";
  return value;
}

/** The run spec the API takes, or the fields the user must fix first. */
export function specFromForm(values: RunFormValues): { spec: Record<string, unknown>; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const resources = {
    ...(values.cpus.trim() ? { cpus: number(values.cpus, "resources.cpus", errors) } : {}),
    ...(values.memory.trim() ? { memory: values.memory.trim() } : {}),
    ...(values.pids.trim() ? { pids: number(values.pids, "resources.pids", errors) } : {}),
    ...(values.timeoutSeconds.trim() ? { timeoutSeconds: number(values.timeoutSeconds, "resources.timeoutSeconds", errors) } : {}),
  };
  const spec = {
    ...(values.name.trim() ? { name: values.name.trim() } : {}),
    ...imageOrBuild(values, errors),
    ...(values.command.trim() ? { command: ["/bin/sh", "-c", values.command] } : {}),
    env: pairs(values.env, "env", errors),
    dependencies: values.docker ? [values.docker] : [],
    sandbox: values.sandbox,
    placement: { labels: pairs(values.labels, "placement", errors) },
    resources,
    ...(values.grants.length ? { grants: values.grants } : {}),
    ...networkOf(values),
    ...workspaceOf(values, errors),
  };
  return { spec, errors };
}

function lines(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
}

/**
 * The workspace, user, artifacts and push fields, only those the user filled in. What needs a
 * repository says so when the Git URL is empty; the URL's and ref's syntax the server checks
 * (its field errors land beside these fields).
 */
function workspaceOf(values: RunFormValues, errors: Record<string, string>): Record<string, unknown> {
  const git = values.workspaceGit.trim();
  const ref = values.workspaceRef.trim();
  const depthText = values.workspaceDepth.trim();
  const user = values.user.trim();
  const artifacts = lines(values.artifacts);
  const pushBranch = values.pushBranch.trim();
  if (!git) {
    if (ref) errors.workspaceRef = "A ref needs a repository: fill in the Git repository, or clear the ref.";
    if (depthText) errors.workspaceDepth = "A clone depth needs a repository: fill in the Git repository, or clear the depth.";
    if (pushBranch) errors.pushBranch = "Pushing needs a repository: fill in the Git repository, or clear the branch.";
  }
  let depth: number | undefined;
  if (depthText) {
    depth = Number(depthText);
    if (!Number.isInteger(depth) || depth < 1) errors.workspaceDepth ??= "Enter a whole number of commits, at least 1 (1 clones only the ref's commit).";
  }
  if (user && !/^\d{1,10}(:\d{1,10})?$/.test(user)) errors.user = "Enter a numeric uid or uid:gid, e.g. 1000 or 1000:1000 (names are not looked up).";
  const badGlob = artifacts.find((glob) => glob.startsWith("/") || glob.split("/").includes(".."));
  if (badGlob) errors.artifacts = `"${badGlob}" must be relative to the workdir, without a leading / or ..; e.g. dist/** or report.json.`;
  return {
    ...(git ? { workspace: { git, ...(ref ? { ref } : {}), ...(depth !== undefined ? { depth } : {}) } } : {}),
    ...(user ? { user } : {}),
    ...(artifacts.length ? { artifacts } : {}),
    ...(pushBranch ? { push: { branch: pushBranch } } : {}),
  };
}

/** Exactly one of them, as the server wants: the image to run, or the Dockerfile to build it from. */
function imageOrBuild(values: RunFormValues, errors: Record<string, string>): { image: string } | { build: Record<string, unknown> } {
  if (values.source === "image") {
    if (!values.image.trim()) errors.image = "Give the image to run, e.g. node:20.";
    return { image: values.image.trim() };
  }
  if (!values.dockerfile.trim()) errors.dockerfile = "Write the Dockerfile to build the run's image from, starting with FROM.";
  return {
    build: {
      dockerfileInline: values.dockerfile,
      ...(values.target.trim() ? { target: values.target.trim() } : {}),
      args: pairs(values.buildArgs, "buildArgs", errors),
    },
  };
}

/** `network` only when the user chose something: an absent policy is the team's default, filled in by the server. */
function networkOf(values: RunFormValues): { network?: { policy?: "open" | "strict"; allow?: string[] } } {
  const allow = values.allow
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  if (!values.networkPolicy && !allow.length) return {};
  return { network: { ...(values.networkPolicy ? { policy: values.networkPolicy } : {}), ...(allow.length ? { allow } : {}) } };
}

/** Where a server-side field error belongs in the form ("env.FOO" → env, "resources.memory" stays). */
export function formFieldOf(path: string): string {
  if (path.startsWith("build.target")) return "target";
  if (path.startsWith("build.args")) return "buildArgs";
  if (path.startsWith("build")) return "dockerfile";
  if (path.startsWith("network.allow")) return "allow";
  if (path.startsWith("network.")) return "networkPolicy";
  if (path.startsWith("resources.")) return path.split(".").slice(0, 2).join(".");
  if (path.startsWith("workspace.ref")) return "workspaceRef";
  if (path.startsWith("workspace.depth")) return "workspaceDepth";
  if (path.startsWith("workspace")) return "workspaceGit";
  if (path.startsWith("push")) return "pushBranch";
  return path.split(".")[0] ?? "spec";
}
