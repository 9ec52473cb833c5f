import { defineConfig } from "prisma/config";

// Only the CLI reads this (generate, and `prisma migrate deploy` for those who prefer it);
// Bailey itself migrates through packages/db/src/migrate.ts.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/bailey" },
});
