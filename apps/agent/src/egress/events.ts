// What the proxy tells the agent, one JSON object per line on stdout (the agent follows the
// container's log and journals them). bytesOut is what the run sent, bytesIn what it received,
// both counted on the run's side of the proxy (TLS records included for CONNECT).

export type EgressEvent =
  | { type: "egress.listening"; host: string; port: number }
  | { type: "egress.allowed"; host: string; port: number; via: string; bytesIn: number; bytesOut: number }
  | { type: "egress.denied"; host: string; port: number; reason: string };

export type EgressEventSink = (event: EgressEvent) => void;

export const stdoutEvents: EgressEventSink = (event) => {
  process.stdout.write(`${JSON.stringify(event)}\n`);
};
