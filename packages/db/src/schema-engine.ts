import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import * as engineBindings from "@prisma/schema-engine-wasm/schema_engine_bg";

type SchemaEngine = engineBindings.SchemaEngine;

let instantiated: Promise<void> | undefined;

/**
 * Loads Prisma's WASM schema engine by hand rather than through its entry module,
 * which imports the .wasm file directly and so needs `--experimental-wasm-modules`
 * in every process that migrates (the launcher, tests, Next.js).
 */
function instantiateEngine(): Promise<void> {
  instantiated ??= (async () => {
    const require = createRequire(import.meta.url);
    const entry = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const bytes = await readFile(path.join(path.dirname(entry), "schema_engine_bg.wasm"));
    const { instance } = await WebAssembly.instantiate(bytes, {
      "./schema_engine_bg.js": engineBindings as unknown as WebAssembly.ModuleImports,
    });
    engineBindings.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
  })();
  return instantiated;
}

export interface EngineSession {
  engine: SchemaEngine;
  close(): Promise<void>;
}

/** Opens a schema engine bound to one Postgres database, for migrate and diff. */
export async function openSchemaEngine(databaseUrl: string, schema: { path: string; content: string }, log: (line: string) => void = () => undefined): Promise<EngineSession> {
  await instantiateEngine();
  const adapterFactory = bindMigrationAwareSqlAdapterFactory(new PrismaPg({ connectionString: databaseUrl, max: 2 }));
  const engine = await engineBindings.SchemaEngine.new({ datamodels: [[schema.path, schema.content]] }, (message: string) => log(message), adapterFactory);
  return {
    engine,
    close: async () => engine.free(),
  };
}
