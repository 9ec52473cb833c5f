export { appendAuditEvent, appendAuditEvents, recordAuditEvent, type AuditEventInput, type AuditActorType } from "./append-audit-event";
export { verifyAuditChain, type ChainVerification } from "./verify-audit-chain";
export { chainHash, genesisHash } from "./hash";
export { canonicalJson } from "./canonical-json";
export { listAuditEvents, type ListAuditOptions } from "./list-audit-events";
export { exportAuditEvents, type ExportedCheckpoint, type ExportedHead } from "./export-audit-events";
export { verifyAuditExport, type ExportVerification } from "./verify-audit-export";
export { signAuditCheckpoint, signDueAuditCheckpoints, defaultCheckpointSchedule, type CheckpointSchedule } from "./sign-audit-checkpoints";
export { signCheckpoint, checkpointSignatureValid, type SignedCheckpoint } from "./checkpoint-signature";
export type { SignatureStatus } from "./signature-summary";
export {
  generateAuditSigningKeyPem,
  parseAuditSigningKey,
  parseAuditPublicKey,
  loadAuditSigningKeyFile,
  loadAuditPublicKeyFile,
  auditKeyId,
  type AuditSigningKey,
  type AuditPublicKey,
} from "./signing-key";
