import { loadEgressConfig } from "../egress/config";
import { startEgressProxy } from "../egress/proxy-server";
import type { EgressProxyEnv } from "../env";

const usage = "Usage: bailey-agent egress-proxy [--config-dir DIR]   (default: BAILEY_EGRESS_CONFIG_DIR or /run/bailey-egress)";

/** The run's egress proxy, from the config the agent wrote; events as JSON lines on stdout. */
export async function egressProxy(env: EgressProxyEnv, args: string[]): Promise<number | undefined> {
  let configDir = env.BAILEY_EGRESS_CONFIG_DIR;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--config-dir" && args[i + 1]) configDir = args[++i]!;
    else {
      console.error(`Unknown argument "${args[i]}". ${usage}`);
      return 2;
    }
  }
  const config = await loadEgressConfig(configDir);
  const proxy = await startEgressProxy(config, env.BAILEY_EGRESS_EXTRA_CA_FILE ? { extraCaFile: env.BAILEY_EGRESS_EXTRA_CA_FILE } : {});
  console.error(`[egress-proxy] listening on ${proxy.host}:${proxy.port}: ${config.grants.length} grant(s), ${config.allow.length} allowed host pattern(s)`);
  const stop = async () => {
    await proxy.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
  return undefined;
}
