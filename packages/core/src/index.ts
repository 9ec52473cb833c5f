export * from "./errors";
export * from "./authz";
export { isUniqueViolation } from "./unique-violation";
export {
  hashPassword,
  verifyPassword,
  assertAcceptablePassword,
  defaultPasswordCost,
  minimumPasswordLength,
  maximumPasswordBytes,
} from "./auth/password";
export { authenticateCredentials, type AuthenticatedUser } from "./auth/authenticate-credentials";
export {
  linkProviderAccount,
  findUserIdByProviderAccount,
  type ProviderAccount,
  type ProviderSignIn,
} from "./auth/link-provider-account";
export { ensureOwnerAccount, type EnsureOwnerOptions, type EnsureOwnerResult } from "./bootstrap/ensure-owner";
export { resolveMembership, type ActiveMembership } from "./teams/resolve-membership";
export { listRuns, type ListRunsOptions } from "./runs/list-runs";
export * from "./audit";
export * from "./tokens";
