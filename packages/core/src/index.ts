export * from "./errors";
export * from "./authz";
export { hashPassword, verifyPassword } from "./auth/password";
export { authenticateCredentials, type AuthenticatedUser } from "./auth/authenticate-credentials";
export { ensureOwnerAccount, type EnsureOwnerResult } from "./bootstrap/ensure-owner";
export { listRuns, type ListRunsOptions } from "./runs/list-runs";
export * from "./audit";
