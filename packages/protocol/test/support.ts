import { Duplex, PassThrough } from "node:stream";

/** Two connected in-memory byte streams, like the two ends of a socket. */
export function duplexPair(): [Duplex, Duplex] {
  const aToB = new PassThrough();
  const bToA = new PassThrough();
  const end = (readable: PassThrough, writable: PassThrough) =>
    new Duplex({
      read() {
        // data is pushed from the readable side below
      },
      write(chunk, _encoding, callback) {
        writable.write(chunk, callback);
      },
      final(callback) {
        writable.end();
        callback();
      },
      destroy(error, callback) {
        writable.destroy();
        callback(error);
      },
    });
  const a = end(bToA, aToB);
  const b = end(aToB, bToA);
  bToA.on("data", (chunk) => a.push(chunk));
  aToB.on("data", (chunk) => b.push(chunk));
  aToB.on("close", () => b.destroy());
  bToA.on("close", () => a.destroy());
  return [a, b];
}
