import { telemetrySettings } from "./server/telemetry/env";

/**
 * Next calls this once per server process before serving (Next 16's instrumentation.ts). Traces
 * go out only when configured (OTEL_EXPORTER_OTLP_ENDPOINT, or BAILEY_OTEL=on); otherwise
 * @vercel/otel is not even imported, so tracing that is off costs nothing.
 */
export async function register(): Promise<void> {
  const settings = telemetrySettings();
  if (!settings) return;
  const { registerOTel } = await import("@vercel/otel");
  // The exporter follows the standard OTEL_EXPORTER_OTLP_* variables (endpoint, headers, protocol).
  registerOTel({ serviceName: settings.serviceName });
}
