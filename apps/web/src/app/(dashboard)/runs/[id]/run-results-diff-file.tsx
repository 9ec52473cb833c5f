"use client";

import "diff2html/bundles/css/diff2html.min.css";
import "highlight.js/styles/github.min.css";
import { ColorSchemeType, type DiffFile } from "diff2html/lib-esm/types";
import { useEffect, useRef, useState } from "react";

/** The changed file's path as the diff names it (the old one for a deletion, both for a rename). */
export function diffFilePath(file: Pick<DiffFile, "oldName" | "newName" | "isRename" | "isDeleted">): string {
  if (file.isRename && file.oldName !== file.newName) return `${file.oldName} → ${file.newName}`;
  return file.isDeleted || file.newName === "/dev/null" ? file.oldName : file.newName;
}

/**
 * One file's hunks drawn by diff2html with highlight.js's syntax colours. The renderer is loaded
 * on first use (it is large, and needs the DOM); diff2html escapes the diff's text itself.
 */
export function DiffFileBody({ file }: { file: DiffFile }) {
  const target = useRef<HTMLDivElement>(null);
  const [problem, setProblem] = useState("");
  useEffect(() => {
    let cancelled = false;
    import("diff2html/lib-esm/ui/js/diff2html-ui-slim")
      .then(({ Diff2HtmlUI }) => {
        if (cancelled || !target.current) return;
        const ui = new Diff2HtmlUI(target.current, [file], {
          drawFileList: false,
          outputFormat: "line-by-line",
          matching: "lines",
          highlight: true,
          // Light in both schemes: highlight.js's GitHub colours are made for a light background.
          colorScheme: ColorSchemeType.LIGHT,
          fileListToggle: false,
          fileContentToggle: false,
          stickyFileHeaders: false,
          synchronisedScroll: false,
          smartSelection: false,
        });
        ui.draw();
        // diff2html's stylesheet is unlayered, so it beats Tailwind's utilities: trim its frame here.
        // The summary above already names the file; its own header would repeat it.
        for (const header of target.current.querySelectorAll(".d2h-file-header")) header.remove();
        for (const wrapper of target.current.querySelectorAll<HTMLElement>(".d2h-file-wrapper")) Object.assign(wrapper.style, { border: "0", borderRadius: "0", marginBottom: "0" });
      })
      .catch((error: Error) => {
        if (!cancelled) setProblem(error.message);
      });
    return () => {
      cancelled = true;
    };
  }, [file]);
  if (problem) {
    return (
      <p role="alert" className="p-3 text-sm text-red-600 dark:text-red-400">
        This file&apos;s diff could not be drawn: {problem}
      </p>
    );
  }
  return <div ref={target} className="overflow-x-auto text-xs" />;
}
