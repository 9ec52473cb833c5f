import type Docker from "dockerode";
import type { ContainerInfo, ContainerStatus } from "../../types";

const statuses: ContainerStatus[] = ["created", "running", "paused", "restarting", "exited", "dead", "removing"];

export function toContainerStatus(value: string | undefined): ContainerStatus {
  return statuses.find((status) => status === value) ?? "unknown";
}

function date(value: string | undefined): Date | null {
  if (!value || value.startsWith("0001-")) return null;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

export function toContainerInfo(raw: Docker.ContainerInspectInfo): ContainerInfo {
  const status = toContainerStatus(raw.State?.Status);
  const finished = status === "exited" || status === "dead";
  return {
    id: raw.Id,
    name: raw.Name.replace(/^\//, ""),
    image: raw.Config?.Image ?? "",
    status,
    running: raw.State?.Running === true,
    exitCode: finished ? (raw.State?.ExitCode ?? null) : null,
    labels: raw.Config?.Labels ?? {},
    ociRuntime: (raw.HostConfig as { Runtime?: string } | undefined)?.Runtime ?? null,
    startedAt: date(raw.State?.StartedAt),
    finishedAt: finished ? date(raw.State?.FinishedAt) : null,
    tty: raw.Config?.Tty === true,
    openStdin: raw.Config?.OpenStdin === true,
    networks: Object.keys(raw.NetworkSettings?.Networks ?? {}),
    ipAddresses: Object.fromEntries(
      Object.entries(raw.NetworkSettings?.Networks ?? {})
        .filter(([, endpoint]) => Boolean(endpoint?.IPAddress))
        .map(([network, endpoint]) => [network, endpoint.IPAddress]),
    ),
  };
}
