export type { AuditVerification, BaileyClientOptions, CreatedRun, Host, ListRunsQuery, Overview, Run, CreateWarmPool, WarmPool, RunSpec, RunState, RunSummary } from "./client";
export { apiBase, BaileyClient, createBaileyClient, finalRunStates, isFinalRunState } from "./client";
export type { BaileyErrorCode, BaileyErrorField } from "./errors";
export { BaileyApiError } from "./errors";
export type { ExecExit, ExecOptions, ExecSession, ExecStream } from "./exec";
export { openExec } from "./exec";
export type { components, operations, paths } from "./generated/openapi";
