export { getRunResults, type RunResultsState, type RunResultsView } from "./get-run-results";
export { openRunResult, type OpenedRunResult } from "./open-run-result";
export { artifactResultName, bundleResultName, diffResultName, specAsksForResults } from "./results-spec";
