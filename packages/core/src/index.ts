export * from "./errors";
export { databaseUnavailable } from "./database-unavailable";
export * from "./authz";
export { isUniqueViolation } from "./unique-violation";
export {
  hashPassword,
  verifyPassword,
  assertAcceptablePassword,
  defaultPasswordCost,
  minimumPasswordLength,
  maximumPasswordBytes,
  passwordNeedsRehash,
} from "./auth/password";
export { authenticateCredentials, type AuthenticatedUser, type AuthenticateCredentialsOptions, type CredentialsSignIn } from "./auth/authenticate-credentials";
export {
  admitAttempt,
  blockedForSeconds,
  defaultSignInThrottlePolicy,
  deleteStaleRateLimitBuckets,
  signInKeys,
  type SignInThrottlePolicy,
  type ThrottleAttempt,
} from "./auth/sign-in-throttle";
export {
  linkProviderAccount,
  findUserIdByProviderAccount,
  type ProviderAccount,
  type ProviderSignIn,
} from "./auth/link-provider-account";
export { ensureOwnerAccount, type EnsureOwnerOptions, type EnsureOwnerResult } from "./bootstrap/ensure-owner";
export { resolveMembership, type ActiveMembership } from "./teams/resolve-membership";
export { listRuns, type ListRunsOptions } from "./runs/list-runs";
export * from "./overview";
export * from "./audit";
export * from "./tokens";
export * from "./scheduler";
export { createRun, type CreateRunOptions } from "./runs/create-run";
export { createRunFromYaml } from "./runs/create-run-from-yaml";
export { parseYamlRunSpec, type IgnoredField, type ParsedYamlSpec } from "./runs/run-spec-yaml";
export { openRunLogs, readRunLogs } from "./runs/read-run-logs";
export { activeRunStates } from "./runs/state-machine";
export { validateRunSpec, submittedRunSpec, parseMemory, type SubmittedRunSpec } from "./runs/run-spec";
export { transitionRun } from "./runs/transition-run";
export { canTransition, finalRunStates } from "./runs/state-machine";
export * from "./hosts";
export { getRun, stopRun, destroyRun } from "./runs/run-operations";
export { listRunEgress, type RunEgressEntry } from "./runs/run-egress";
export { listMembers, changeMemberRole, removeMember } from "./teams/members";
export { createInvite, listInvites, revokeInvite, previewInvite, acceptInvite } from "./teams/invites";
export { getRunPolicy, updateRunPolicy, requestedCapabilities, refusalOf, runCapabilities, type RunCapability, type RunPolicy } from "./teams/run-policy";
export * from "./registries";
export * from "./secrets";
export { rotateSecrets, type RotationReport } from "./rotate-secrets";
export * from "./images";
export * from "./team-secrets";
export { looksLikeCredential, redactedValue, redactRunEnv, seesCredentialEnv } from "./runs/redact-run-env";
export * from "./grants";
export * from "./build-contexts";
export * from "./results";
export { type BlobStore, runBlobPrefix, runLogKey, runResultKey } from "./blobs/blob-store";
export { createBlobStore } from "./blobs/create-blob-store";
export { DirectoryBlobStore } from "./blobs/directory-blob-store";
export { blobStoreFromEnv } from "./blobs/env";
export { S3BlobStore, type S3BlobStoreOptions } from "./blobs/s3-blob-store";
export * from "./webhooks";
export * from "./exec";
export * from "./pools";
export * from "./observability";
