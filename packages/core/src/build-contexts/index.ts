export { buildContextFormat } from "./tar-format";
export { uploadBuildContext, buildContextTooLarge, type BuildContextSummary } from "./upload-build-context";
export { listBuildContexts } from "./list-build-contexts";
export { requireBuildContext, buildContextBytes } from "./run-build-context";
export { pruneBuildContexts, buildContextRetentionMs } from "./prune-build-contexts";
export { putBuildContextOnHost } from "./put-build-context";
export { maxBuildContextBytes } from "@bailey/protocol";
