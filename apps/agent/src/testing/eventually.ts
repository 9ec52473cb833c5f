import { docker } from "./docker";

/** What `probe` gives once it is truthy, asked every 100 ms; fails naming `what` after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Whether the engine still has this network. */
export const networkExists = (id: string) =>
  docker
    .getNetwork(id)
    .inspect()
    .then(
      () => true,
      () => false,
    );
