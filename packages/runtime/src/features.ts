import { UnsupportedFeatureError } from "./errors";
import type { BuildManager, InteractiveManager, NetworkManager, Runtime, SidecarManager } from "./types";

export function requireNetworkManager(runtime: Runtime): NetworkManager {
  const manager = runtime.networkManager();
  if (!manager) throw new UnsupportedFeatureError("networks", runtime.type);
  return manager;
}

export function requireSidecarManager(runtime: Runtime): SidecarManager {
  const manager = runtime.sidecarManager();
  if (!manager) throw new UnsupportedFeatureError("sidecars", runtime.type);
  return manager;
}

export function requireBuildManager(runtime: Runtime): BuildManager {
  const manager = runtime.buildManager();
  if (!manager) throw new UnsupportedFeatureError("builds", runtime.type);
  return manager;
}

export function requireInteractiveManager(runtime: Runtime): InteractiveManager {
  const manager = runtime.interactiveManager();
  if (!manager) throw new UnsupportedFeatureError("interactive exec", runtime.type);
  return manager;
}

/** Whether host directories can be bind-mounted into containers (Apple's VMs take no host paths here). */
export function supportsBindMounts(runtime: Runtime): boolean {
  return runtime.type !== "apple";
}

export interface RuntimeFeatures {
  networks: boolean;
  sidecars: boolean;
  builds: boolean;
}

export function runtimeFeatures(runtime: Runtime): RuntimeFeatures {
  return { networks: runtime.networkManager() !== null, sidecars: runtime.sidecarManager() !== null, builds: runtime.buildManager() !== null };
}
