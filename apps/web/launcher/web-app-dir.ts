import path from "node:path";
import { fileURLToPath } from "node:url";

/** apps/web: where `next build` wrote the dashboard. */
export const webAppDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
