"use client";

import { Field } from "~/components/ui/field";
import { Input } from "~/components/ui/input";
import { Textarea } from "~/components/ui/textarea";
import type { RunFormValues } from "./spec-from-form";

type WorkspaceValues = Pick<RunFormValues, "workspaceGit" | "workspaceRef" | "workspaceDepth" | "user" | "artifacts" | "pushBranch">;

/** Where the run starts (a clone of a repository at /workspace), who it runs as, and what of its work comes back. */
export function WorkspaceFields({ values, errors, onChange }: { values: WorkspaceValues; errors: Record<string, string>; onChange: (change: Partial<WorkspaceValues>) => void }) {
  const set = (key: keyof WorkspaceValues) => (event: { target: { value: string } }) => onChange({ [key]: event.target.value });
  return (
    <fieldset className="space-y-4" aria-describedby="workspace-hint">
      <legend className="mb-2 text-sm font-medium">Workspace and results</legend>
      <p id="workspace-hint" className="text-xs text-zinc-500 dark:text-zinc-400">
        The host clones the repository and mounts it at /workspace, owned by the run&apos;s user. When the run ends, its diff against the starting commit, its new commits and the artifacts are stored
        in Bailey and stay after the run is destroyed.
      </p>
      <Field label="Git repository" htmlFor="workspaceGit" error={errors.workspaceGit} hint="https://host/org/repo.git, git://host/repo or git@host:org/repo.git.">
        <Input id="workspaceGit" value={values.workspaceGit} onChange={set("workspaceGit")} className="font-mono" spellCheck={false} placeholder="https://github.com/org/repo.git" />
      </Field>
      <div className="grid gap-5 sm:grid-cols-3">
        <Field label="Ref" htmlFor="workspaceRef" error={errors.workspaceRef} hint="Branch, tag or commit; empty: the default branch.">
          <Input id="workspaceRef" value={values.workspaceRef} onChange={set("workspaceRef")} className="font-mono" spellCheck={false} />
        </Field>
        <Field label="Clone depth" htmlFor="workspaceDepth" error={errors.workspaceDepth} hint="Commits to fetch; empty: the full history.">
          <Input id="workspaceDepth" inputMode="numeric" value={values.workspaceDepth} onChange={set("workspaceDepth")} />
        </Field>
        <Field label="Run as user" htmlFor="user" error={errors.user} hint="uid or uid:gid; a workspace run defaults to 1000:1000.">
          <Input id="user" value={values.user} onChange={set("user")} className="font-mono" placeholder="1000:1000" />
        </Field>
      </div>
      <div className="grid gap-5 sm:grid-cols-2">
        <Field label="Artifacts" htmlFor="artifacts" error={errors.artifacts} hint="Globs relative to /workspace, one per line, e.g. dist/** or report.json.">
          <Textarea id="artifacts" rows={2} value={values.artifacts} onChange={set("artifacts")} className="font-mono" spellCheck={false} />
        </Field>
        <Field label="Push to branch" htmlFor="pushBranch" error={errors.pushBranch} hint="The run's commits are pushed there when it ends, e.g. bailey/fix-tests; empty: no push.">
          <Input id="pushBranch" value={values.pushBranch} onChange={set("pushBranch")} className="font-mono" spellCheck={false} />
        </Field>
      </div>
    </fieldset>
  );
}
