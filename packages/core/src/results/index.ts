export { getRunResults, type RunResultsState, type RunResultsView } from "./get-run-results";
export { openRunResult, type OpenedRunResult } from "./open-run-result";
export { artifactResultName, bundleResultName, diffResultName, specAsksForResults } from "./results-spec";
export { finishRunResults, shipHostResults, shipRunResults, type ResultsAgent, type ShipReport } from "./ship-run-results";
export { expireRunBlobs, expireRunBlobsIfDue, type ExpireReport } from "./expire-run-blobs";
export { teamStorage } from "./team-storage";
export { requireWorkspaceCredentials } from "./workspace-credentials";
