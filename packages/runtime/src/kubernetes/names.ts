import { KubernetesManifestError } from "./errors";

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const labelName = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** A Pod, Secret or NetworkPolicy name that is also a valid hostname label (≤ 63 characters). */
export function objectName(prefix: string, runId: string): string {
  const name = `${prefix}-${runId.toLowerCase()}`;
  if (name.length > 63 || !dnsLabel.test(name)) {
    throw new KubernetesManifestError(`Run ID "${runId}" cannot name a Kubernetes object ("${name}" must be ≤ 63 lowercase letters, digits and '-', starting and ending alphanumeric).`);
  }
  return name;
}

export function assertDnsLabel(what: string, value: string): string {
  if (value.length > 63 || !dnsLabel.test(value)) {
    throw new KubernetesManifestError(`${what} "${value}" is not a valid DNS label: use ≤ 63 lowercase letters, digits and '-', starting and ending alphanumeric.`);
  }
  return value;
}

/** Labels exactly as given, or an error naming the first one Kubernetes would refuse (the API rejects the whole Pod). */
export function validLabels(labels: Record<string, string>): Record<string, string> {
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.lastIndexOf("/");
    const prefix = slash === -1 ? null : key.slice(0, slash);
    const name = slash === -1 ? key : key.slice(slash + 1);
    const prefixOk = prefix === null || (prefix.length <= 253 && prefix.split(".").every((part) => dnsLabel.test(part)));
    if (!prefixOk || name.length > 63 || !labelName.test(name)) {
      throw new KubernetesManifestError(`Label key "${key}" is not valid in Kubernetes: an optional DNS-subdomain prefix and '/', then ≤ 63 of [A-Za-z0-9-_.] starting and ending alphanumeric.`);
    }
    if (value.length > 63 || !labelValue.test(value)) {
      throw new KubernetesManifestError(`Label "${key}" has the value "${value}", which Kubernetes refuses: ≤ 63 of [A-Za-z0-9-_.], starting and ending alphanumeric (or empty).`);
    }
  }
  return { ...labels };
}

/** A Secret key for an environment variable or file name ([-._a-zA-Z0-9]+). */
export function secretKey(name: string): string {
  if (!/^[-._a-zA-Z0-9]+$/.test(name) || name.length > 253) {
    throw new KubernetesManifestError(`"${name}" cannot be a Kubernetes Secret key: use letters, digits, '-', '_' and '.' only.`);
  }
  return name;
}
