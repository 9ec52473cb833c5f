import net from "node:net";

/** Fails before anything starts when the dashboard's port is already taken. */
export function assertPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === "EADDRINUSE"
          ? `port ${port} is already in use by another program`
          : error.code === "EACCES"
            ? `this user may not listen on port ${port}`
            : `cannot listen on ${host}:${port} (${error.code ?? error.message})`;
      reject(
        new Error(`Bailey cannot serve the dashboard: ${reason}. Stop that program (see: ss -ltnp 'sport = :${port}') or choose another port, e.g. PORT=${port === 3000 ? 3001 : port + 1} npm start`),
      );
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
