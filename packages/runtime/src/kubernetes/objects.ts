// The few Kubernetes API shapes the run backend writes, typed by hand: the manifests are data the
// backend sends to the API server, and a client library is not needed to make them.

export interface ObjectMeta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
}

export interface SecurityContext {
  allowPrivilegeEscalation: boolean;
  privileged?: boolean;
  capabilities?: { drop: string[]; add?: string[] };
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  seccompProfile: { type: "RuntimeDefault" | "Unconfined" };
  appArmorProfile?: { type: "RuntimeDefault" | "Unconfined" };
}

export interface ResourceRequirements {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  workingDir?: string;
  resources?: ResourceRequirements;
  securityContext: SecurityContext;
  ports?: { name: string; containerPort: number; protocol: "TCP" }[];
  volumeMounts?: { name: string; mountPath: string; readOnly: boolean }[];
  /** Set on an init container, it is a native sidecar: started before the main container, stopped after it (Kubernetes ≥ 1.29). */
  restartPolicy?: "Always";
  tty?: boolean;
  stdin?: boolean;
}

export interface Pod {
  apiVersion: "v1";
  kind: "Pod";
  metadata: ObjectMeta;
  spec: {
    restartPolicy: "Never";
    runtimeClassName?: string;
    hostname?: string;
    automountServiceAccountToken: false;
    enableServiceLinks: false;
    initContainers?: Container[];
    containers: Container[];
    volumes?: { name: string; secret: { secretName: string; defaultMode: number; items: { key: string; path: string }[] } }[];
    securityContext?: { sysctls?: { name: string; value: string }[] };
    dnsPolicy?: "None";
    dnsConfig?: { nameservers: string[] };
    hostAliases?: { ip: string; hostnames: string[] }[];
    activeDeadlineSeconds?: number;
  };
}

export interface Secret {
  apiVersion: "v1";
  kind: "Secret";
  metadata: ObjectMeta;
  type: "Opaque";
  /** Values as the API's `stringData` (it encodes them); never copied into the Pod. */
  stringData: Record<string, string>;
}

export interface NetworkPolicyPeer {
  podSelector?: { matchLabels: Record<string, string> };
  namespaceSelector?: { matchLabels: Record<string, string> };
  ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPolicyRule {
  to?: NetworkPolicyPeer[];
  from?: NetworkPolicyPeer[];
  ports?: { protocol: "TCP" | "UDP"; port: number }[];
}

export interface NetworkPolicy {
  apiVersion: "networking.k8s.io/v1";
  kind: "NetworkPolicy";
  metadata: ObjectMeta;
  spec: {
    podSelector: { matchLabels: Record<string, string> };
    policyTypes: ("Ingress" | "Egress")[];
    ingress: NetworkPolicyRule[];
    egress: NetworkPolicyRule[];
  };
}
