"use client";

import "@xterm/xterm/css/xterm.css";
import { useQueryClient } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import { useCallback, useEffect, useRef, useState } from "react";
import { LogBuffer } from "~/components/log-viewer/log-buffer";
import { LogViewer } from "~/components/log-viewer/log-viewer";
import { useRole } from "~/components/role-gate";
import { Button } from "~/components/ui/button";
import { type ExecRefusal, ExecSocketClient, type ExecStart, probeExecRefusal } from "~/lib/exec-socket-client";
import { useTRPC } from "~/trpc/client";
import { endNotice, isLive, runEndedCode, statusLabel, type TerminalStatus } from "./terminal-status";
import { XtermView } from "./xterm-view";

const finalStates = ["succeeded", "failed", "cancelled", "lost", "timed_out"];

type SessionKind = "shell" | "attach";
const startOf: Record<SessionKind, ExecStart> = {
  shell: { command: ["/bin/sh"], tty: true, stdin: true },
  attach: { attach: true, tty: true, stdin: true },
};

/**
 * The Terminal tab: a shell in the run's container (or its main process's TTY when the run
 * asked for one), over the exec WebSocket. Survives network blips by resuming the session;
 * ends, with its input disabled, when the session or the run does.
 */
export function RunTerminal({ runId, state, tty }: { runId: string; state: string; tty: boolean }) {
  const role = useRole();
  const allowed = role !== null && role !== "viewer";
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<XtermView | null>(null);
  const client = useRef<ExecSocketClient | null>(null);
  const [ready, setReady] = useState(false);
  const [status, setStatus] = useState<TerminalStatus>({ kind: "idle" });
  const [size, setSize] = useState<{ cols: number; rows: number } | null>(null);
  const [kind, setKind] = useState<SessionKind>("shell");
  // The session's whole output for the Scrollback view (the shared log viewer: searchable, past xterm's own 10,000 lines).
  const [scrollback, setScrollback] = useState(() => new LogBuffer());
  const [showScrollback, setShowScrollback] = useState(false);
  const final = finalStates.includes(state);
  const running = state === "running";

  useEffect(() => {
    const element = host.current;
    if (!allowed || !element) return;
    let disposed = false;
    let mounted: XtermView | null = null;
    void XtermView.mount(element, {
      onInput: (bytes) => client.current?.send(bytes),
      onResize: (cols, rows) => {
        setSize({ cols, rows });
        client.current?.resize(cols, rows);
      },
    }).then((created) => {
      if (disposed) return created.dispose();
      mounted = created;
      view.current = created;
      created.setInputEnabled(false);
      setSize({ cols: created.cols, rows: created.rows });
      setReady(true);
    });
    return () => {
      disposed = true;
      // Leaving the page ends the session on purpose (a reload or a lost network only detaches it).
      client.current?.close();
      client.current = null;
      mounted?.dispose();
      view.current = null;
      setReady(false);
    };
  }, [allowed]);

  // The page's own view of the run: once it is final there is nothing to resume.
  useEffect(() => {
    if (final) client.current?.runEnded();
  }, [final]);

  // Back online: resume now rather than at the end of the backoff.
  useEffect(() => {
    const online = () => client.current?.retryNow();
    window.addEventListener("online", online);
    return () => window.removeEventListener("online", online);
  }, []);

  /** After a failed upgrade: is the run still there and running? (A browser cannot see the upgrade's status.) */
  const probe = useCallback(async (): Promise<ExecRefusal | null> => {
    try {
      const answer = await queryClient.fetchQuery({ ...trpc.runs.get.queryOptions({ id: runId }), staleTime: 0 });
      const current = answer.run.state;
      if (finalStates.includes(current)) return { status: 409, code: runEndedCode, message: `The run is ${current}.` };
    } catch (error) {
      const code = error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : undefined;
      if (code === "UNAUTHORIZED") return { status: 401, code, message: "You are signed out: sign in again to use the terminal." };
      if (code === "NOT_FOUND") return { status: 404, code, message: "There is no such run in your team." };
      if (code === "FORBIDDEN") return { status: 403, code, message: "You may no longer open a terminal into this run." };
    }
    return probeExecRefusal(runId);
  }, [queryClient, trpc, runId]);

  function start(next: SessionKind) {
    const screen = view.current;
    if (!screen) return;
    client.current?.dispose();
    screen.reset();
    setKind(next);
    const buffer = new LogBuffer();
    setScrollback(buffer);
    setShowScrollback(false);
    const session: ExecSocketClient = new ExecSocketClient({
      runId,
      start: startOf[next],
      cols: screen.cols,
      rows: screen.rows,
      probe,
      onOutput: (bytes) => {
        if (client.current !== session) return;
        screen.write(bytes);
        buffer.append(bytes);
      },
      onStatus: (update) => {
        if (client.current !== session) return;
        setStatus(update);
        if (update.kind === "open") {
          screen.setInputEnabled(true);
          screen.focus();
        }
        const notice = endNotice(update);
        if (notice) {
          screen.setInputEnabled(false);
          screen.notice(notice);
        }
      },
    });
    client.current = session;
    session.connect();
  }

  if (role === null) return <p className="text-sm text-zinc-500">Loading…</p>;
  const live = isLive(status);
  const inputEnabled = status.kind === "open";
  return (
    <div
      className="space-y-3"
      data-testid="run-terminal"
      data-state={allowed ? status.kind : "forbidden"}
      data-input={inputEnabled ? "enabled" : "disabled"}
      data-cols={size?.cols}
      data-rows={size?.rows}
    >
      <div className="flex flex-wrap items-center gap-3">
        <span className="text-xs text-zinc-500 dark:text-zinc-400" data-testid="terminal-status" aria-live="polite">
          {allowed ? statusLabel(status) : "not available to viewers"}
        </span>
        <div className="ml-auto flex gap-2">
          {allowed && status.kind !== "idle" ? (
            <Button variant="ghost" aria-pressed={showScrollback} onClick={() => setShowScrollback((shown) => !shown)}>
              {showScrollback ? "Terminal" : "Scrollback"}
            </Button>
          ) : null}
          {live ? (
            <Button variant="secondary" onClick={() => client.current?.close()}>
              End session
            </Button>
          ) : status.kind === "idle" || !allowed ? (
            <>
              <Button disabled={!allowed || !ready || !running} onClick={() => start("shell")}>
                Start shell
              </Button>
              {tty ? (
                <Button variant="secondary" disabled={!allowed || !ready || !running} onClick={() => start("attach")} title="Attach to the run's main process and its terminal">
                  Attach
                </Button>
              ) : null}
            </>
          ) : running ? (
            <Button onClick={() => start(kind)}>New session</Button>
          ) : null}
        </div>
      </div>
      {!allowed ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="terminal-forbidden">
          Viewers cannot open a terminal into a run: it runs commands in the run&apos;s container. A member, admin or owner can; an admin can change your role on the Team page.
        </p>
      ) : !running && status.kind === "idle" ? (
        <p className="text-sm text-zinc-500">The terminal opens while the run is running.</p>
      ) : null}
      {allowed ? <div ref={host} data-testid="terminal-screen" hidden={showScrollback} className="h-[28rem] w-full overflow-hidden rounded-lg bg-zinc-950 p-2" /> : null}
      {allowed && showScrollback ? <LogViewer buffer={scrollback} data-testid="terminal-scrollback" emptyText="(no output yet)" /> : null}
    </div>
  );
}
