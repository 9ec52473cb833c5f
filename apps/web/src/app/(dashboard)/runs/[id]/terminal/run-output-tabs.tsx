"use client";

import { type ReactNode, useState } from "react";
import { cn } from "~/lib/utils";

type Tab = "logs" | "terminal";

/**
 * The run's logs and, while it runs, its terminal, as tabs. Both stay mounted once shown
 * (hidden, not removed), so switching back and forth neither restarts the log stream nor
 * ends the terminal's session.
 */
export function RunOutputTabs({ logs, terminal, terminalAvailable }: { logs: ReactNode; terminal: ReactNode; terminalAvailable: boolean }) {
  const [selected, setSelected] = useState<Tab>("logs");
  const [terminalOpened, setTerminalOpened] = useState(false);
  const showTerminalTab = terminalAvailable || terminalOpened;
  const current = showTerminalTab ? selected : "logs";
  const tab = (id: Tab, label: string) => (
    <button
      type="button"
      role="tab"
      id={`run-output-tab-${id}`}
      aria-controls={`run-output-panel-${id}`}
      aria-selected={current === id}
      onClick={() => {
        setSelected(id);
        if (id === "terminal") setTerminalOpened(true);
      }}
      className={cn(
        "-mb-px border-b-2 px-3 py-1.5 text-sm font-medium",
        current === id ? "border-zinc-900 dark:border-zinc-100" : "border-transparent text-zinc-500 hover:text-zinc-900 dark:hover:text-zinc-100",
      )}
    >
      {label}
    </button>
  );
  return (
    <div className="space-y-3">
      {showTerminalTab ? (
        <div role="tablist" aria-label="Run output" className="flex gap-1 border-b border-zinc-200 dark:border-zinc-800">
          {tab("logs", "Logs")}
          {tab("terminal", "Terminal")}
        </div>
      ) : null}
      {showTerminalTab ? (
        <div role="tabpanel" id="run-output-panel-logs" aria-labelledby="run-output-tab-logs" hidden={current !== "logs"}>
          {logs}
        </div>
      ) : (
        <div id="run-output-panel-logs">{logs}</div>
      )}
      {terminalOpened ? (
        <div role="tabpanel" id="run-output-panel-terminal" aria-labelledby="run-output-tab-terminal" hidden={current !== "terminal"}>
          {terminal}
        </div>
      ) : null}
    </div>
  );
}
