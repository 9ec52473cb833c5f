import { capabilityAllowlist } from "../hardening";
import { KubernetesManifestError } from "./errors";
import type { SecurityContext } from "./objects";

/** The same locked-down base as hardenedHostConfig gives a Docker container. */
export function runContainerSecurity(containerName: string, user: string | undefined): SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"], add: [...capabilityAllowlist] },
    seccompProfile: { type: "RuntimeDefault" },
    ...numericUser(containerName, user),
  };
}

/**
 * BuildKit without privilege: the rootless image runs as uid 1000 and needs its own seccomp and
 * AppArmor profiles off to create user namespaces; a privileged container would hold the node.
 */
export function rootlessBuildkitSecurity(): SecurityContext {
  return {
    allowPrivilegeEscalation: true,
    runAsUser: 1000,
    runAsGroup: 1000,
    runAsNonRoot: true,
    seccompProfile: { type: "Unconfined" },
    appArmorProfile: { type: "Unconfined" },
  };
}

/** Kubernetes takes only numeric ids (a name would need the image's /etc/passwd, which the kubelet does not read). */
function numericUser(containerName: string, user: string | undefined): Pick<SecurityContext, "runAsUser" | "runAsGroup"> {
  if (user === undefined || user === "") return {};
  const match = /^(\d+)(?::(\d+))?$/.exec(user);
  if (!match) {
    throw new KubernetesManifestError(`Container "${containerName}" runs as user "${user}"; on Kubernetes give it as a numeric uid or uid:gid (e.g. 1000:1000).`);
  }
  return { runAsUser: Number(match[1]), ...(match[2] !== undefined ? { runAsGroup: Number(match[2]) } : {}) };
}
