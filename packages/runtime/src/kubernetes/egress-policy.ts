import type { NetworkPolicy, NetworkPolicyRule, ObjectMeta } from "./objects";

const dns: NetworkPolicyRule = {
  to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
  ports: [
    { protocol: "UDP", port: 53 },
    { protocol: "TCP", port: 53 },
  ],
};

/** Anywhere outside the cluster (its Pod and Service ranges are what a run must not reach: other runs, the API server, node ports). */
function outsideTheCluster(clusterCidrs: string[]): NetworkPolicyRule {
  return { to: [{ ipBlock: { cidr: "0.0.0.0/0", ...(clusterCidrs.length ? { except: [...clusterCidrs] } : {}) } }] };
}

function policy(metadata: ObjectMeta, selector: Record<string, string>, ingress: NetworkPolicyRule[], egress: NetworkPolicyRule[]): NetworkPolicy {
  // Both types listed: an empty list then means "nothing", not "not governed".
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata, spec: { podSelector: { matchLabels: selector }, policyTypes: ["Ingress", "Egress"], ingress, egress } };
}

/** An open run: out to the internet and DNS; nothing in (exec and logs go through the API server, not the Pod network). */
export function openRunPolicy(metadata: ObjectMeta, selector: Record<string, string>, clusterCidrs: string[]): NetworkPolicy {
  return policy(metadata, selector, [], [outsideTheCluster(clusterCidrs), dns]);
}

/** A strict run: its one way out is its egress proxy's port; not even DNS (the proxy resolves). */
export function strictRunPolicy(metadata: ObjectMeta, selector: Record<string, string>, proxySelector: Record<string, string>, proxyPort: number): NetworkPolicy {
  return policy(metadata, selector, [], [{ to: [{ podSelector: { matchLabels: proxySelector } }], ports: [{ protocol: "TCP", port: proxyPort }] }]);
}

/** A strict run's proxy: reached by its run only; out to the internet and DNS. */
export function egressProxyPolicy(metadata: ObjectMeta, selector: Record<string, string>, runSelector: Record<string, string>, port: number, clusterCidrs: string[]): NetworkPolicy {
  return policy(metadata, selector, [{ from: [{ podSelector: { matchLabels: runSelector } }], ports: [{ protocol: "TCP", port }] }], [outsideTheCluster(clusterCidrs), dns]);
}
