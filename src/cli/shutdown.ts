/**
 * Who owns SIGINT/SIGTERM. By default main.ts does (clean up, exit 130/143 at once). A
 * long-running command such as `rfm serve` can take them over to stop gracefully: it registers a
 * handler, main's signal listeners hand the signal to it, and the command's action returns when
 * it has finished, so main exits 0 as after any command. A handler that releases itself on the
 * first signal lets a second one fall through to main's immediate exit.
 *
 * Computations on this thread run through `runInterruptibly`, which gives the event loop a turn
 * every few milliseconds: otherwise a signal's handler would wait for the computation to end.
 */
import { RfmError } from '../core/errors.js';
import type { Steps } from '../core/steps.js';

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

let stopSignal: ShutdownSignal | undefined;

/** For main.ts's signal listeners: the run is to stop (the computation loops see it at their next turn). */
export function requestStop(signal: ShutdownSignal): void {
  stopSignal ??= signal;
}

/** The signal that asked the run to stop, if one did. */
export const stopRequested = (): ShutdownSignal | undefined => stopSignal;

/**
 * How long a computation runs before it gives the event loop a turn: short enough that a signal
 * is handled well within 200 ms (and the spinner, every 80 ms, keeps turning), long enough that
 * the turns cost nothing measurable (a few microseconds each).
 */
const SLICE_MS = 20;

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs a computation's steps (core/steps.ts) on this thread in slices of about SLICE_MS, giving
 * the event loop a turn in between so that a signal's handler can run; stops between two steps
 * once a stop is requested. Same result as runSteps.
 */
export async function runInterruptibly<T>(steps: Steps<T>): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStart < SLICE_MS) continue;
    await turn();
    if (stopSignal !== undefined) {
      steps.return(undefined as T);
      throw new RfmError('interrupted', stopSignal === 'SIGINT' ? 'interrupted' : 'terminated');
    }
    sliceStart = performance.now();
  }
}
