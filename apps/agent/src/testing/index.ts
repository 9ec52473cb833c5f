// For tests (this repository's and other workspaces'): a real agent on a Unix socket, or a
// whole worker host behind real sshd, and the Docker helpers their assertions use.
export { type AgentHost, type AgentHostFields, type StartAgentHostOptions, startAgentHost } from "./agent-host";
export { type AgentProcess, type AgentSettings, agentMain, repoRoot, type StartAgentOptions, startAgent } from "./agent-process";
export { networkExists, until } from "./eventually";
export { docker, dockerSocket, engineLog, ensureStandinImage, removeByHost, requireDocker, resourcesOf, standinImage } from "./docker";
export { httpsFetch, ProxyRefusedError, ProxyTunnelAgent, type ProxyTunnelOptions, type RecordedRequest, type SimpleResponse, startTlsUpstream, type TlsUpstream } from "./egress";
export { egressProxyCommand, ensureEgressProxyImage } from "../egress/proxy-image";
export { type ContainerTlsUpstream, type StartTlsUpstreamOptions, startTlsUpstream as startTlsUpstreamContainer, type UpstreamRequest } from "./tls-upstream";
export { type EgressProxyProcess, type StartEgressProxyProcessOptions, startEgressProxyProcess } from "./egress-process";
export { createBareRepository, type GitServer, gitIn, startGitServer } from "./git-server";
export { type ExpectedCredential, type GitHttpRequest, type GitHttpServer, type StartGitHttpServerOptions, startGitHttpServer } from "./git-http-server";
