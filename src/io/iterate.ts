/**
 * `first`, then what is left of `rest`: an input read ahead (to sniff it) and put back together.
 * A reader that stops early (an error in the data) also stops `rest`, so that the file under it
 * is closed then and not when the garbage collector finds its handle.
 */
export async function* prefixed<T>(first: readonly T[], rest: AsyncIterator<T> | undefined): AsyncGenerator<T> {
  try {
    yield* first;
    if (rest === undefined) return;
    for (;;) {
      const next = await rest.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await rest?.return?.();
  }
}
