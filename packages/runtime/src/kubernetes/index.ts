export { KubernetesManifestError } from "./errors";
export type { Container, NetworkPolicy, Pod, Secret } from "./objects";
export { buildkitAddress, egressProxyManifests, type KubernetesRunManifests, type KubernetesRunPlan, type RunEgress, runManifests, secretFilesDir } from "./run-manifests";
