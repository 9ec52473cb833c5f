import { connect, type Socket } from "node:net";

/**
 * A plain CONNECT tunnel for a `network.allow` host: the run talks TLS (or anything) with the
 * host itself and sees its real certificate. Resolves when both sides have closed.
 */
export function tunnel(client: Socket, head: Buffer, host: string, port: number): Promise<{ ok: boolean; error?: string }> {
  return new Promise((resolve) => {
    const upstream = connect({ host, port, noDelay: true });
    let connected = false;
    let settled = 0;
    let failure: string | undefined;
    const closed = () => {
      if (++settled === 2) resolve(failure ? { ok: false, error: failure } : { ok: true });
    };
    upstream.once("connect", () => {
      connected = true;
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.once("error", (error) => {
      failure = error.message;
      if (!connected) client.end(`HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\negress proxy: cannot reach ${host}:${port}: ${error.message}\n`);
      else client.destroy();
    });
    client.once("error", () => upstream.destroy());
    upstream.once("close", closed);
    client.once("close", () => {
      upstream.destroy();
      closed();
    });
  });
}
