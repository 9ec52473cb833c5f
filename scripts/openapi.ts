// Prints /api/v1/openapi.json as generated from the tRPC router, without starting a server
// (for the route enumeration in the browser tests, and for clients generated from it).
import { openApiDocument } from "@bailey/api";

process.stdout.write(`${JSON.stringify(openApiDocument(), null, 2)}\n`);
