// A real smart-HTTP git server over HTTPS for workspace tests: `git http-backend` run as CGI behind
// a Node HTTPS server on 127.0.0.1, with a certificate from a CA minted here, that refuses (401)
// every request without one of the credentials it was told to expect.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { CertificateAuthority, createCertificateAuthority } from "../egress/ca";
import { createBareRepository, gitIn } from "./git-server";

/** A header and the exact value a request must carry to be let in, e.g. `authorization: Bearer <token>`. */
export interface ExpectedCredential {
  header: string;
  value: string;
}

export interface GitHttpRequest {
  method: string;
  /** The path and query, e.g. /repo.git/info/refs?service=git-upload-pack. */
  url: string;
  /** Which expected credential it carried (its header name), or null: answered 401. */
  credential: string | null;
  status: number;
}

export interface GitHttpServer {
  /** The directory served (GIT_PROJECT_ROOT). */
  readonly baseDir: string;
  readonly port: number;
  /** The CA the server's certificate is from, PEM, and a file holding it (what a git's http.sslCAInfo points at). */
  readonly caPem: string;
  readonly caFile: string;
  /** https://127.0.0.1:<port>/<name>.git */
  url(name: string): string;
  createRepository(name: string, commits?: Record<string, string>[]): Promise<{ dir: string; commits: string[] }>;
  /** `git <args>` in the bare repository, stdout. */
  git(name: string, args: string[]): Promise<string>;
  /** Every request so far, in order. */
  readonly requests: GitHttpRequest[];
  stop(): Promise<void>;
}

export interface StartGitHttpServerOptions {
  /** A request carrying any one of these is served; every other one gets 401. */
  credentials: ExpectedCredential[];
  /** Called for each request before it is answered (while the client's git is still running). */
  onRequest?: (request: IncomingMessage) => void;
}

const backendEnvBase = { PATH: "/usr/local/bin:/usr/bin:/bin", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_HTTP_EXPORT_ALL: "1" };

export async function startGitHttpServer(options: StartGitHttpServerOptions): Promise<GitHttpServer> {
  const execPath = (
    await gitIn(tmpdir(), ["--exec-path"]).catch(() => {
      throw new Error("git is not installed on this machine: apt-get install -y git (the HTTPS workspace tests run git http-backend and the agent clones with git)");
    })
  ).trim();
  if (!existsSync(path.join(execPath, "git-http-backend"))) throw new Error(`git http-backend is missing from ${execPath}: install a full git (apt-get install -y git)`);
  const baseDir = await mkdtemp(path.join(tmpdir(), "bailey-git-http-"));
  const ca = await createCertificateAuthority(`bailey test git CA ${randomBytes(4).toString("hex")}`);
  const leaf = await (await CertificateAuthority.load(ca)).issueServerCertificates(["127.0.0.1", "localhost"]);
  const caFile = path.join(baseDir, "ca.pem");
  await writeFile(caFile, ca.certPem);
  const requests: GitHttpRequest[] = [];
  const accepted = options.credentials.map((credential) => ({ header: credential.header.toLowerCase(), value: credential.value }));
  const server: Server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (request, response) => {
    options.onRequest?.(request);
    const credential = accepted.find((candidate) => request.headers[candidate.header] === candidate.value)?.header ?? null;
    const record: GitHttpRequest = { method: request.method ?? "", url: request.url ?? "", credential, status: 0 };
    requests.push(record);
    response.once("finish", () => {
      record.status = response.statusCode;
    });
    if (!credential) {
      request.resume();
      response.writeHead(401, { "content-type": "text/plain", "www-authenticate": 'Bearer realm="bailey test git"' }).end("a credential is required\n");
      return;
    }
    serveWithBackend(baseDir, request, response);
  });
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  return {
    baseDir,
    port,
    caPem: ca.certPem,
    caFile,
    url: (name) => `https://127.0.0.1:${port}/${name}.git`,
    createRepository: (name, commits) => createBareRepository(baseDir, name, commits),
    git: (name, args) => gitIn(path.join(baseDir, `${name}.git`), args),
    requests,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(baseDir, { recursive: true, force: true });
    },
  };
}

/** Runs `git http-backend` for one request (CGI/1.1): the body streamed to its stdin, its header block parsed (Status included), the rest streamed back. */
function serveWithBackend(baseDir: string, request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? "/", "https://127.0.0.1");
  const env: Record<string, string> = {
    ...backendEnvBase,
    HOME: baseDir,
    GIT_PROJECT_ROOT: baseDir,
    // Pushes are anonymous to git (no REMOTE_USER): receive-pack has to be enabled outright.
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: "http.receivepack",
    GIT_CONFIG_VALUE_0: "true",
    REQUEST_METHOD: request.method ?? "GET",
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    REMOTE_ADDR: request.socket.remoteAddress ?? "127.0.0.1",
    GATEWAY_INTERFACE: "CGI/1.1",
    SERVER_PROTOCOL: `HTTP/${request.httpVersion}`,
  };
  if (request.headers["content-type"]) env.CONTENT_TYPE = request.headers["content-type"];
  if (request.headers["content-length"]) env.CONTENT_LENGTH = request.headers["content-length"];
  if (request.headers["content-encoding"]) env.HTTP_CONTENT_ENCODING = request.headers["content-encoding"];
  const protocol = request.headers["git-protocol"];
  if (typeof protocol === "string") env.GIT_PROTOCOL = protocol;
  // Cast: bench/ type-checks under the root project, whose Next types make NODE_ENV a required key of ProcessEnv.
  const backend = spawn("git", ["http-backend"], { env: env as NodeJS.ProcessEnv, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  backend.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk;
  });
  backend.stdin.on("error", () => {});
  request.pipe(backend.stdin);
  let head = Buffer.alloc(0);
  let headersSent = false;
  backend.stdout.on("data", (chunk: Buffer) => {
    if (headersSent) {
      if (!response.write(chunk)) {
        backend.stdout.pause();
        response.once("drain", () => backend.stdout.resume());
      }
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf("\r\n\r\n") >= 0 ? { at: head.indexOf("\r\n\r\n"), length: 4 } : head.indexOf("\n\n") >= 0 ? { at: head.indexOf("\n\n"), length: 2 } : null;
    if (!end) return;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head.subarray(0, end.at).toString("latin1").split(/\r?\n/)) {
      const colon = line.indexOf(":");
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 500;
      else headers[name] = value;
    }
    response.writeHead(status, headers);
    headersSent = true;
    const rest = head.subarray(end.at + end.length);
    if (rest.length) response.write(rest);
  });
  backend.once("close", (code) => {
    if (!headersSent) {
      response.writeHead(500, { "content-type": "text/plain" }).end(`git http-backend exited with ${code} before its headers: ${stderr}\n`);
      return;
    }
    response.end();
  });
  response.once("close", () => {
    if (backend.exitCode === null) backend.kill("SIGKILL");
  });
}
