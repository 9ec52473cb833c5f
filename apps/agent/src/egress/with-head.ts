import type { Socket } from "node:net";
import { Duplex } from "node:stream";

/**
 * `socket` as a stream that first yields `head`: the bytes a client sent right after its CONNECT,
 * before our 200 (the HTTP parser already read them). TLSSocket reads a plain socket's handle
 * directly and would miss them, so it gets this instead when there are any.
 */
export function withHead(socket: Socket, head: Buffer): Duplex {
  const stream = new Duplex({
    read: () => socket.resume(),
    write: (chunk, encoding, callback) => socket.write(chunk, encoding, callback),
    final: (callback) => socket.end(callback),
    destroy: (error, callback) => {
      socket.destroy(error ?? undefined);
      callback(error);
    },
  });
  stream.push(head);
  socket.on("data", (chunk) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.once("end", () => stream.push(null));
  socket.once("close", () => stream.destroy());
  return stream;
}
