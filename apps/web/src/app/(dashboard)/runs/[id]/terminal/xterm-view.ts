import type { FitAddon } from "@xterm/addon-fit";
import type { Terminal } from "@xterm/xterm";

export interface XtermViewHandlers {
  /** What the user typed or pasted, as bytes for the process's stdin. */
  onInput: (bytes: Uint8Array) => void;
  /** The terminal's size changed (the container was resized and the grid refitted). */
  onResize: (cols: number, rows: number) => void;
}

const encoder = new TextEncoder();
const dim = (text: string) => `\x1b[2m${text}\x1b[22m`;

/**
 * xterm.js in an element, fitted to it: typing, pasting and copying, refitted whenever the
 * element changes size. Loaded on demand, as xterm.js needs a DOM.
 */
export class XtermView {
  private inputEnabled = true;
  private frame = 0;

  private readonly observer = new ResizeObserver(() => this.refit());

  private constructor(
    private readonly terminal: Terminal,
    private readonly fit: FitAddon,
  ) {}

  static async mount(element: HTMLElement, handlers: XtermViewHandlers): Promise<XtermView> {
    const [{ Terminal }, { FitAddon }] = await Promise.all([import("@xterm/xterm"), import("@xterm/addon-fit")]);
    const terminal = new Terminal({
      cursorBlink: true,
      convertEol: false,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
      fontSize: 13,
      scrollback: 10_000,
      theme: { background: "#09090b", foreground: "#f4f4f5" },
    });
    const fit = new FitAddon();
    terminal.loadAddon(fit);
    terminal.open(element);
    const view = new XtermView(terminal, fit);
    terminal.attachCustomKeyEventHandler((event) => view.onKey(event));
    terminal.onData((data) => {
      if (view.inputEnabled) handlers.onInput(encoder.encode(data));
    });
    // Some mouse reports arrive as one char per byte, not UTF-8.
    terminal.onBinary((data) => {
      if (view.inputEnabled) handlers.onInput(Uint8Array.from(data, (char) => char.charCodeAt(0) & 0xff));
    });
    terminal.onResize(({ cols, rows }) => handlers.onResize(cols, rows));
    view.observer.observe(element);
    view.fitNow();
    return view;
  }

  get cols(): number {
    return this.terminal.cols;
  }

  get rows(): number {
    return this.terminal.rows;
  }

  write(bytes: Uint8Array): void {
    this.terminal.write(bytes);
  }

  /** A dim line of our own (not the process's), on a line of its own. */
  notice(text: string): void {
    this.terminal.write(`\r\n${dim(text)}\r\n`);
  }

  setInputEnabled(enabled: boolean): void {
    this.inputEnabled = enabled;
    this.terminal.options.disableStdin = !enabled;
    this.terminal.options.cursorBlink = enabled;
    // The cursor is hidden once nothing can be typed.
    this.terminal.write(enabled ? "\x1b[?25h" : "\x1b[?25l");
  }

  reset(): void {
    this.terminal.reset();
  }

  focus(): void {
    this.terminal.focus();
  }

  dispose(): void {
    cancelAnimationFrame(this.frame);
    this.observer.disconnect();
    this.terminal.dispose();
  }

  /** Refits on the next frame: a resize burst (dragging a window) becomes one resize message. */
  private refit(): void {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.fitNow());
  }

  private fitNow(): void {
    // A hidden element (the Scrollback or another tab is shown) has no size to fit to. Its
    // computed style still says "100%", which the fit addon reads as ~10 columns: without this
    // check, showing the Scrollback resized the shell to 10 columns (found by the e2e).
    const container = this.terminal.element?.parentElement;
    if (!container || container.clientWidth === 0) return;
    if (this.fit.proposeDimensions()?.cols) this.fit.fit();
  }

  /**
   * Copy: Ctrl/Cmd-C (or Ctrl-Shift-C) with a selection copies it (the browser's copy event,
   * which xterm fills with the selection) instead of sending ^C. Paste: Ctrl-V and Ctrl-Shift-V
   * are left to the browser's paste (xterm sends the pasted text as input, bracketed if the
   * program asked for it); Cmd-V is the browser's already.
   */
  private onKey(event: KeyboardEvent): boolean {
    if (event.type !== "keydown") return true;
    const key = event.key.toLowerCase();
    const modifier = event.ctrlKey || event.metaKey;
    if (modifier && key === "c" && this.terminal.hasSelection()) return false;
    if (event.ctrlKey && key === "v") return false;
    return true;
  }
}
