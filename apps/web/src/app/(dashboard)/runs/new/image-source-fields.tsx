"use client";

import { Field } from "~/components/ui/field";
import { Input } from "~/components/ui/input";
import { Textarea } from "~/components/ui/textarea";
import type { RunFormValues } from "./spec-from-form";

type SourceValues = Pick<RunFormValues, "source" | "image" | "dockerfile" | "target" | "buildArgs">;

const sources = [
  { value: "image", label: "Image" },
  { value: "build", label: "Build from a Dockerfile" },
] as const;

/** What the run runs: a named image, or one its host builds from a Dockerfile written here. */
export function ImageSourceFields({ values, errors, onChange }: { values: SourceValues; errors: Record<string, string>; onChange: (change: Partial<SourceValues>) => void }) {
  return (
    <div className="space-y-4">
      {/* Buttons, not radio inputs: "Image" stays the one field labelled so. */}
      <div role="radiogroup" aria-label="What the run runs" className="inline-flex rounded-md border border-zinc-300 p-0.5 dark:border-zinc-700">
        {sources.map((source) => (
          <button
            key={source.value}
            type="button"
            role="radio"
            aria-checked={values.source === source.value}
            onClick={() => onChange({ source: source.value })}
            className={`rounded px-3 py-1 text-sm ${values.source === source.value ? "bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900" : ""}`}
          >
            {source.label}
          </button>
        ))}
      </div>
      {values.source === "image" ? (
        <Field label="Image" htmlFor="image" error={errors.image} hint="The container image the agent runs, e.g. node:20.">
          <Input id="image" value={values.image} onChange={(event) => onChange({ image: event.target.value })} required />
        </Field>
      ) : (
        <>
          <Field
            label="Dockerfile"
            htmlFor="dockerfile"
            error={errors.dockerfile}
            hint="Built on the run's host with BuildKit (the engine's, or the legacy builder where there is none) and run as the run's image; the timeline shows which builder and how long. FROM images come from the host's registries."
          >
            <Textarea
              id="dockerfile"
              rows={8}
              value={values.dockerfile}
              onChange={(event) => onChange({ dockerfile: event.target.value })}
              className="font-mono text-xs"
              spellCheck={false}
              placeholder={"FROM node:20\nRUN npm install -g pnpm"}
            />
          </Field>
          <div className="grid gap-5 sm:grid-cols-2">
            <Field label="Target stage" htmlFor="target" error={errors.target} hint="A FROM … AS <name> stage; empty builds the last.">
              <Input id="target" value={values.target} onChange={(event) => onChange({ target: event.target.value })} className="font-mono" />
            </Field>
            <Field label="Build arguments" htmlFor="buildArgs" error={errors.buildArgs} hint="One KEY=value per line, for ARG. Not for secrets: they stay in the image's history.">
              <Textarea id="buildArgs" rows={2} value={values.buildArgs} onChange={(event) => onChange({ buildArgs: event.target.value })} className="font-mono text-xs" spellCheck={false} />
            </Field>
          </div>
        </>
      )}
    </div>
  );
}
