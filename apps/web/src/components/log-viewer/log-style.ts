/**
 * Styles as SGR escape sequences set them, interned: a line keeps small integer ids, not objects,
 * so a million coloured lines cost a few numbers each.
 */

/** A colour: 0–255 is the xterm palette (0–15 the theme's sixteen), a string is "#rrggbb". */
export type LogColor = number | string;

export interface LogStyle {
  readonly fg: LogColor | null;
  readonly bg: LogColor | null;
  readonly bold: boolean;
  readonly dim: boolean;
  readonly italic: boolean;
  readonly underline: boolean;
  readonly inverse: boolean;
  readonly strikethrough: boolean;
}

/** A piece of a line in one style. */
export interface LogSpan {
  readonly text: string;
  readonly style: LogStyle;
}

const bold = 1;
const dim = 2;
const italic = 4;
const underline = 8;
const inverse = 16;
const strikethrough = 32;

/** fg/bg: -1 is the default, 0–255 the palette, rgbFlag | 0xrrggbb a true colour. */
const rgbFlag = 0x1000000;
const noColor = -1;

function colorOf(value: number): LogColor | null {
  if (value === noColor) return null;
  if (value < 256) return value;
  return `#${(value & 0xffffff).toString(16).padStart(6, "0")}`;
}

/** The styles a buffer has seen; id 0 is the default style. */
export class StyleTable {
  private readonly ids = new Map<string, number>([["-1,-1,0", 0]]);
  private readonly styles: LogStyle[] = [plainStyle];

  intern(fg: number, bg: number, flags: number): number {
    const key = `${fg},${bg},${flags}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.styles.length;
      this.ids.set(key, id);
      this.styles.push(
        Object.freeze({
          fg: colorOf(fg),
          bg: colorOf(bg),
          bold: (flags & bold) !== 0,
          dim: (flags & dim) !== 0,
          italic: (flags & italic) !== 0,
          underline: (flags & underline) !== 0,
          inverse: (flags & inverse) !== 0,
          strikethrough: (flags & strikethrough) !== 0,
        }),
      );
    }
    return id;
  }

  get(id: number): LogStyle {
    return this.styles[id] ?? plainStyle;
  }
}

export const plainStyle: LogStyle = Object.freeze({ fg: null, bg: null, bold: false, dim: false, italic: false, underline: false, inverse: false, strikethrough: false });

/** The graphic rendition in force: what `ESC [ … m` changes. */
export class SgrState {
  fg = noColor;
  bg = noColor;
  flags = 0;

  reset(): void {
    this.fg = noColor;
    this.bg = noColor;
    this.flags = 0;
  }

  /** Applies one SGR parameter string ("1;31", "38;2;255;0;0", "38:5:208", "" = reset). */
  apply(params: string): void {
    const list = params === "" ? ["0"] : params.split(";");
    for (let i = 0; i < list.length; i++) {
      const param = list[i] ?? "";
      if (param.includes(":")) {
        // ITU T.416 sub-parameters: 38:5:n, 38:2:[colour space]:r:g:b, 4:3 (curly underline).
        const parts = param.split(":").map((part) => (part === "" ? 0 : Number(part)));
        const code = parts[0] ?? 0;
        if (code === 38 || code === 48 || code === 58) {
          const color = parts[1] === 5 ? palette(parts[2]) : parts[1] === 2 ? rgb(...(parts.length >= 6 ? parts.slice(3, 6) : parts.slice(2, 5))) : null;
          if (color !== null) this.setColor(code, color);
        } else if (code === 4) {
          this.set(underline, parts[1] !== 0);
        } else {
          this.one(code);
        }
        continue;
      }
      const code = param === "" ? 0 : Number(param);
      if (code === 38 || code === 48 || code === 58) {
        const mode = Number(list[i + 1]);
        if (mode === 5) {
          const color = palette(Number(list[i + 2]));
          if (color !== null) this.setColor(code, color);
          i += 2;
        } else if (mode === 2) {
          const color = rgb(Number(list[i + 2]), Number(list[i + 3]), Number(list[i + 4]));
          if (color !== null) this.setColor(code, color);
          i += 4;
        } else {
          // A malformed extended colour: the rest of the sequence cannot be read reliably.
          return;
        }
        continue;
      }
      this.one(code);
    }
  }

  private setColor(code: number, color: number): void {
    if (code === 38) this.fg = color;
    else if (code === 48) this.bg = color;
    // 58 (underline colour) is read so it does not derail the parameters after it, then dropped.
  }

  private set(flag: number, on: boolean): void {
    this.flags = on ? this.flags | flag : this.flags & ~flag;
  }

  private one(code: number): void {
    if (code === 0) this.reset();
    else if (code === 1) this.set(bold, true);
    else if (code === 2) this.set(dim, true);
    else if (code === 3) this.set(italic, true);
    else if (code === 4 || code === 21) this.set(underline, true);
    else if (code === 7) this.set(inverse, true);
    else if (code === 9) this.set(strikethrough, true);
    else if (code === 22) this.flags &= ~(bold | dim);
    else if (code === 23) this.set(italic, false);
    else if (code === 24) this.set(underline, false);
    else if (code === 27) this.set(inverse, false);
    else if (code === 29) this.set(strikethrough, false);
    else if (code >= 30 && code <= 37) this.fg = code - 30;
    else if (code === 39) this.fg = noColor;
    else if (code >= 40 && code <= 47) this.bg = code - 40;
    else if (code === 49) this.bg = noColor;
    else if (code >= 90 && code <= 97) this.fg = code - 90 + 8;
    else if (code >= 100 && code <= 107) this.bg = code - 100 + 8;
    // Blink, conceal, fonts, frames and the rest change nothing a log needs to show.
  }
}

function palette(index: number | undefined): number | null {
  return index !== undefined && Number.isInteger(index) && index >= 0 && index <= 255 ? index : null;
}

function rgb(r?: number, g?: number, b?: number): number | null {
  const ok = (value: number | undefined): value is number => value !== undefined && Number.isInteger(value) && value >= 0 && value <= 255;
  return ok(r) && ok(g) && ok(b) ? rgbFlag | (r << 16) | (g << 8) | b : null;
}

const cubeLevels = [0, 95, 135, 175, 215, 255];

/**
 * A colour as CSS: the sixteen theme colours are CSS variables (so light and dark themes each
 * pick readable ones), 16–255 the xterm cube and grey ramp, strings as they are.
 */
export function colorCss(color: LogColor | null): string | undefined {
  if (color === null) return undefined;
  if (typeof color === "string") return color;
  if (color < 16) return `var(--log-c${color})`;
  if (color < 232) {
    const n = color - 16;
    return `rgb(${cubeLevels[Math.floor(n / 36)]}, ${cubeLevels[Math.floor(n / 6) % 6]}, ${cubeLevels[n % 6]})`;
  }
  const grey = 8 + (color - 232) * 10;
  return `rgb(${grey}, ${grey}, ${grey})`;
}

/** The inline style of a span, or undefined for the default style (most spans). */
export function styleCss(style: LogStyle): Record<string, string | number> | undefined {
  if (style === plainStyle) return undefined;
  let color = colorCss(style.fg);
  let background = colorCss(style.bg);
  if (style.inverse) [color, background] = [background ?? "var(--log-bg)", color ?? "var(--log-fg)"];
  const css: Record<string, string | number> = {};
  if (color) css.color = color;
  if (background) css.backgroundColor = background;
  if (style.bold) css.fontWeight = 700;
  if (style.dim) css.opacity = 0.6;
  if (style.italic) css.fontStyle = "italic";
  const lines = [style.underline ? "underline" : "", style.strikethrough ? "line-through" : ""].filter(Boolean).join(" ");
  if (lines) css.textDecorationLine = lines;
  return css;
}
