export { metricsRegistry } from "./registry";
export { registerDatabaseMetrics } from "./database-metrics";
export { observeHttpRequest, routePattern } from "./http-metrics";
export { createObservabilityEndpoints, type ObservabilityEndpointsOptions } from "./endpoints";
export { checkReadiness, type Readiness } from "./readiness";
export { checkLiveness } from "./liveness";
export { createLogger, lineLogger, logger, logFormatFromEnv, runLogger, setLogger, type LineLog, type LogFormat, type Logger, type LoggerOptions } from "./logger";
export { metricsTokenFromEnv } from "./env";
export { parsePrometheusText, sampleValue, type MetricFamily, type Sample } from "./prometheus-text";
