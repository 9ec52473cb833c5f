export { LogBuffer, type LogBufferOptions, type LogColor, type LogSpan, type LogStyle } from "./log-buffer";
export { type LogMatch, LogSearch } from "./log-search";
export { colorCss, styleCss } from "./log-style";
export { LogViewer, type LogViewerProps } from "./log-viewer";
