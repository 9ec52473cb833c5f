/** A run that cannot be expressed as Kubernetes objects; the message says what to change. */
export class KubernetesManifestError extends Error {
  override name = "KubernetesManifestError";
}
