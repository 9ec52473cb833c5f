// Used by scripts that need dependencies and the Prisma client but not the web build.
import { ensureDependencies, ensurePrismaClient } from "./lib/bootstrap.mjs";

ensureDependencies();
ensurePrismaClient();
