export { AgentConnection, type AgentConnectionOptions, type Hello } from "./agent-connection";
export { LocalTransport, SshTransport, type SshTransportOptions, type Transport } from "./transports";
export { hostKeyFingerprint, HostKeyMismatchError } from "./host-key";
export { generateClientKey, publicKeyOf, type ClientKeyPair } from "./client-key";
