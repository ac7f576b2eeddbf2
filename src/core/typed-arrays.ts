/** Growing the typed-array columns that the readers and accumulators fill (core and io alike). */

/** A typed array of twice the length with the same values first. */
export const grow = <A extends Float64Array | Int32Array | Uint8Array>(a: A): A => {
  const b = new (a.constructor as new (n: number) => A)(a.length * 2);
  b.set(a);
  return b;
};
