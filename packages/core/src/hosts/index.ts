export { addHost, addHostInput, connectHost, type AddHostInput } from "./add-host";
export { recordHostKeyMismatch } from "./host-key-mismatch";
export { createHostEnrollment, completeHostEnrollment, listHostEnrollments, hostInstallCommand, enrollmentRequest, enrollmentReport } from "./enrollment";
export { drainHost, resumeHost, removeHost } from "./host-lifecycle";
export { listHosts, getHost } from "./list-hosts";
export { recordHostSamples, hostActivity } from "./host-activity";
export { agentIdentityConflict, claimAgentIdentity } from "./agent-identity";
