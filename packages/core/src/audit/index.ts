export { appendAuditEvent, appendAuditEvents, recordAuditEvent, type AuditEventInput, type AuditActorType } from "./append-audit-event";
export { verifyAuditChain, type ChainVerification } from "./verify-audit-chain";
export { chainHash, genesisHash } from "./hash";
export { canonicalJson } from "./canonical-json";
export { listAuditEvents, type ListAuditOptions } from "./list-audit-events";
export { exportAuditEvents } from "./export-audit-events";
