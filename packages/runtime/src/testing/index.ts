export { MockRuntime, conformanceBehaviour, mockEngineSocket, type MockBehaviour, type MockProgram, type MockCall, type MockRuntimeOptions } from "./mock-runtime";
export { conformanceSuite, type ConformanceTarget } from "./conformance";
export { dockerSocket, dockerTestImage, type PodmanService, podmanTestImage, requireDocker, requireRunsc, startPodmanService } from "./engines";
export { type PushedImage, pushUniqueTestImage, registryRequests, requireTestRegistries, type TestRegistries, type TestRegistry } from "./registry";
export { dockerClientImage, ensureDockerClientImage, ensurePodmanDockerClientImage, podmanDockerClientImage } from "./docker-client-image";
