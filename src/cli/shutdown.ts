/**
 * Who owns SIGINT/SIGTERM. By default main.ts does (clean up, exit 130/143 at once). A
 * long-running command such as `rfm serve` can take them over to stop gracefully: it registers a
 * handler, main's signal listeners hand the signal to it, and the command's action returns when
 * it has finished, so main exits 0 as after any command. A handler that releases itself on the
 * first signal lets a second one fall through to main's immediate exit.
 */
export type ShutdownSignal = 'SIGINT' | 'SIGTERM';

let handler: ((signal: ShutdownSignal) => void) | undefined;

/** Takes over SIGINT/SIGTERM until the returned release function is called. */
export function takeOverShutdown(onSignal: (signal: ShutdownSignal) => void): () => void {
  handler = onSignal;
  return () => {
    if (handler === onSignal) handler = undefined;
  };
}

/** For main.ts's signal listeners: true when a command took the signal over (main then does nothing). */
export function delegateShutdown(signal: ShutdownSignal): boolean {
  if (handler === undefined) return false;
  handler(signal);
  return true;
}
