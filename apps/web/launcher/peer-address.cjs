// Preloaded into `next start` by the launcher. Next.js only fills X-Forwarded-For when the
// client sent none, so a route cannot tell a client's own claim from the socket's address;
// this stamps every request with the socket's address under a name no client can set.
const http = require("node:http");

const header = "x-bailey-peer-address";
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function emitWithPeerAddress(event, request, ...rest) {
  if (event === "request" && request && request.headers) {
    request.headers[header] = request.socket?.remoteAddress ?? "";
  }
  return emit.call(this, event, request, ...rest);
};
