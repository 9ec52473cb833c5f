import net from "node:net";

/**
 * Relays this process's stdin/stdout to the daemon's Unix socket. It is the whole
 * remote command of the control plane's SSH key (`command="bailey-agent dial-stdio"`),
 * the same trick as `docker system dial-stdio`: SSH carries the bytes, the daemon
 * speaks the protocol.
 */
export function dialStdio(socketPath: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    socket.once("error", (error: NodeJS.ErrnoException) => {
      const hint =
        error.code === "ENOENT" || error.code === "ECONNREFUSED"
          ? "the agent daemon is not running: start it (systemctl start bailey-agent, or bailey-agent serve)"
          : error.code === "EACCES"
            ? "this user may not use the agent's socket: run as the bailey user"
            : error.message;
      process.stderr.write(`bailey-agent dial-stdio: cannot reach ${socketPath}: ${hint}\n`);
      resolve(1);
    });
    socket.once("connect", () => {
      process.stdin.pipe(socket);
      socket.pipe(process.stdout);
      // The client closing its side ends the session; the daemon closing ends it too.
      process.stdin.once("end", () => socket.end());
      socket.once("close", () => resolve(0));
    });
  });
}
