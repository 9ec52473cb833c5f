// When OpenTelemetry is on (docs/observability.md): an OTLP endpoint is configured, or BAILEY_OTEL=on.

export interface TelemetrySettings {
  serviceName: string;
}

/** null when tracing is off: then nothing of OpenTelemetry is even loaded. */
export function telemetrySettings(env: NodeJS.ProcessEnv = process.env): TelemetrySettings | null {
  const switch_ = env.BAILEY_OTEL?.trim().toLowerCase();
  if (switch_ && !["on", "off"].includes(switch_)) throw new Error(`BAILEY_OTEL is "${env.BAILEY_OTEL}"; set it to "on" or "off" (or leave it unset: on when OTEL_EXPORTER_OTLP_ENDPOINT is set).`);
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (switch_ === "off" || (switch_ !== "on" && !endpoint)) return null;
  return { serviceName: env.OTEL_SERVICE_NAME?.trim() || "bailey" };
}
