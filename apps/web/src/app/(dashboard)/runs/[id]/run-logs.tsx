"use client";

import { useEffect, useMemo, useState } from "react";
import { Button } from "~/components/ui/button";
import { Input } from "~/components/ui/input";

const maxKeptChars = 2 * 1024 * 1024;

/** Where the run is, as far as its output goes. */
export type LogPhase = "waiting" | "running" | "finished";

/**
 * Streams the run's output while it runs (follow=true); once it has finished, reads the
 * whole output again so the page holds all of it. Searchable and downloadable.
 */
export function RunLogs({ runId, phase }: { runId: string; phase: LogPhase }) {
  const [text, setText] = useState("");
  const [status, setStatus] = useState<"waiting" | "loading" | "streaming" | "ended" | "error">("waiting");
  const [problem, setProblem] = useState("");
  const [query, setQuery] = useState("");

  useEffect(() => {
    if (phase === "waiting") return;
    const abort = new AbortController();
    const follow = phase === "running";
    setStatus(follow ? "streaming" : "loading");
    (async () => {
      const response = await fetch(`/api/v1/runs/${runId}/logs?follow=${follow}`, { signal: abort.signal });
      if (!response.ok || !response.body) {
        const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
        throw new Error(body?.error?.message ?? `HTTP ${response.status}`);
      }
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      setText("");
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const chunk = decoder.decode(value, { stream: true });
        setText((previous) => (previous + chunk).slice(-maxKeptChars));
      }
      if (!follow) setStatus("ended");
    })().catch((error: Error) => {
      if (abort.signal.aborted) return;
      setProblem(error.message);
      setStatus("error");
    });
    return () => abort.abort();
  }, [runId, phase]);

  const lines = useMemo(() => text.split("\n"), [text]);
  const shown = query ? lines.filter((line) => line.toLowerCase().includes(query.toLowerCase())) : lines;

  function download() {
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const link = Object.assign(document.createElement("a"), { href: url, download: `bailey-run-${runId}.log` });
    link.click();
    URL.revokeObjectURL(url);
  }

  return (
    <section aria-labelledby="logs-heading" className="space-y-3">
      <div className="flex flex-wrap items-center gap-3">
        <h2 id="logs-heading" className="text-lg font-semibold">
          Logs
        </h2>
        <span className="text-xs text-zinc-500 dark:text-zinc-400" data-testid="log-status">
          {status === "waiting" ? "waiting for the run to start" : status === "loading" ? "loading" : status === "streaming" ? "live" : status === "ended" ? "complete" : "unavailable"}
        </span>
        <div className="ml-auto flex gap-2">
          <Input type="search" aria-label="Search logs" placeholder="Search" value={query} onChange={(event) => setQuery(event.target.value)} className="w-48" />
          <Button variant="secondary" onClick={download} disabled={!text}>
            Download
          </Button>
        </div>
      </div>
      {status === "error" ? (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          The logs could not be read: {problem}
        </p>
      ) : null}
      <pre data-testid="run-logs" className="max-h-[28rem] overflow-auto rounded-lg bg-zinc-950 p-4 font-mono text-xs leading-5 text-zinc-100">
        {shown.join("\n") || (status === "waiting" ? "" : "(no output yet)")}
      </pre>
      {query ? <p className="text-xs text-zinc-500">{shown.length} matching line(s)</p> : null}
    </section>
  );
}
