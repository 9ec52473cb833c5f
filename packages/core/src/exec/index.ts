export { authorizeExec, type ExecSession, type ExecStart, openExecSession } from "./open-exec-session";
