const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export interface Spinner {
  update(text: string): void;
  stop(): void;
}

/** A spinner on stderr while waiting; silent when stderr is not a terminal (CI logs, pipes). */
export function spinner(text: string): Spinner {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  let current = text;
  let frame = 0;
  const draw = () => process.stderr.write(`\r\x1b[2K${frames[frame++ % frames.length]} ${current}`);
  draw();
  const timer = setInterval(draw, 80);
  timer.unref();
  return {
    update: (next) => {
      current = next;
    },
    stop: () => {
      clearInterval(timer);
      process.stderr.write("\r\x1b[2K");
    },
  };
}
