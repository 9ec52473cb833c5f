export { maxPoolSize, poolSandboxes, type PoolResources, type PoolSandbox } from "./pool-rules";
export { createWarmPool, deleteWarmPool, listWarmPools, storedPoolStatuses, updateWarmPool, type CreateWarmPoolOptions, type UpdateWarmPoolOptions, type WarmPool } from "./warm-pools";
export { poolSetHash, poolSpecOf, statusMatchesDesired } from "./desired-pools";
