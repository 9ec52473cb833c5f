"use client";

import { useEffect, useRef, useState } from "react";
import { LogBuffer, LogViewer } from "~/components/log-viewer";
import { Button } from "~/components/ui/button";

/** Where the run is, as far as its output goes. */
export type LogPhase = "waiting" | "running" | "finished";

/**
 * Streams the run's output while it runs (follow=true) into a LogBuffer, which parses each chunk
 * once as it arrives (colours, progress lines); once the run has finished, reads the whole output
 * again from what Bailey stored. That second read fills a new buffer out of sight and replaces the
 * shown one only when complete, so the reader's place, search and follow survive it.
 */
export function RunLogs({ runId, phase }: { runId: string; phase: LogPhase }) {
  const [buffer, setBuffer] = useState(() => new LogBuffer());
  const shown = useRef(buffer);
  shown.current = buffer;
  const [status, setStatus] = useState<"waiting" | "loading" | "streaming" | "ended" | "error">("waiting");
  const [problem, setProblem] = useState("");

  useEffect(() => {
    if (phase === "waiting") return;
    const abort = new AbortController();
    const follow = phase === "running";
    // Something already on screen (the live stream): keep showing it until the full read is done.
    const inBackground = !follow && shown.current.lineCount > 0;
    if (!inBackground) setStatus(follow ? "streaming" : "loading");
    (async () => {
      const response = await fetch(`/api/v1/runs/${runId}/logs?follow=${follow}`, { signal: abort.signal });
      if (!response.ok || !response.body) {
        const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
        throw new Error(body?.error?.message ?? `HTTP ${response.status}`);
      }
      const next = new LogBuffer();
      if (!inBackground) setBuffer(next);
      const reader = response.body.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        next.append(value);
      }
      next.end();
      if (inBackground) setBuffer(next);
      if (!follow) setStatus("ended");
    })().catch((error: Error) => {
      if (abort.signal.aborted) return;
      setProblem(error.message);
      setStatus("error");
    });
    return () => abort.abort();
  }, [runId, phase]);

  function download() {
    const url = URL.createObjectURL(new Blob([buffer.plainText()], { type: "text/plain" }));
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
      </div>
      {status === "error" ? (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          The logs could not be read: {problem}
        </p>
      ) : null}
      <LogViewer
        buffer={buffer}
        data-testid="run-logs"
        emptyText={status === "waiting" ? "" : "(no output yet)"}
        actions={
          <Button variant="secondary" onClick={download} disabled={status === "waiting"}>
            Download
          </Button>
        }
      />
    </section>
  );
}
