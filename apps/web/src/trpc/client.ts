import { createTRPCContext } from "@trpc/tanstack-react-query";
import type { AppRouter } from "@bailey/api";

export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();
