import type { AppRouter } from "@bailey/api";
import type { inferRouterOutputs } from "@trpc/server";

export type Overview = inferRouterOutputs<AppRouter>["overview"]["get"];
