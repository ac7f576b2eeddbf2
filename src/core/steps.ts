/**
 * Long computations as steps. A loop that can run for seconds (k-means restarts and iterations,
 * the elbow's k values) is a generator that yields between its steps — once per Lloyd iteration or
 * k-means++ centre, never per point — and returns its result. `runSteps` runs one to the end at
 * once (tests, worker threads); the command line runs it in slices that give the event loop a turn,
 * so that Ctrl-C, SIGINT and SIGTERM are seen mid-computation (a flag checked in a synchronous loop
 * could never be set: a signal's handler runs only when the loop returns to the event loop).
 * The values and the order of the arithmetic are the same either way.
 */
export type Steps<T> = Generator<void, T, void>;

/** Runs `steps` to the end in one go and returns its result. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}
