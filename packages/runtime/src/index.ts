export * from "./types";
export * from "./errors";
export * from "./features";
export { capabilityAllowlist, defaultLimits, hardenedHostConfig } from "./hardening";
export { DockerRuntime, dockerProfile, type DockerRuntimeOptions, type EngineProfile } from "./drivers/docker/runtime";
export { planBuild, type BuildPlan, type BuildPlanInput } from "./drivers/docker/build-plan";
export { createPodmanRuntime, podmanProfile } from "./drivers/podman";
export { AppleRuntime } from "./drivers/apple/runtime";
export { detectRuntime, defaultProbes, type RuntimeProbe, type DetectOptions } from "./detect";
