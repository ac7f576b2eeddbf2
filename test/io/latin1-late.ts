/**
 * The latin1-late log (issue 12), shared by test/io/encoding.test.ts and test/cli/values.test.ts:
 * valid UTF-8 for its first 1.1 MiB (one `Zoë` in UTF-8, C3 AB, on line 2), then `José` in
 * latin1 (E9) on each of that customer's three lines, and `Zoë` in UTF-8 again on the last line.
 * Read as latin1 from the first byte: customer `José` (J1-J3, 2 × 5 each: F 3, M 30, last Jan 4
 * 10:00) and one customer `ZoÃ«` (Z1 Jan 2, Z2 Jan 5 10:00: F 2, M 10); A0-A9 fill the rest.
 * As-of = Jan 5 10:00 + 1 day: José's recency 2, ZoÃ«'s 1.
 */
export function latin1Late(): Buffer {
  const parts: Buffer[] = [Buffer.from('Invoice,InvoiceDate,Quantity,Price,Customer ID\n')];
  parts.push(Buffer.from('Z1,2024-01-02 10:00,1,5,Zoë\n', 'utf8'));
  let size = 0;
  for (let i = 0; size < 1.1 * (1 << 20); i++) {
    const line = Buffer.from(`${1000 + i},2024-01-03 10:00,1,1,A${i % 10}\n`);
    parts.push(line);
    size += line.length;
  }
  for (const invoice of ['J1', 'J2', 'J3']) parts.push(Buffer.from(`${invoice},2024-01-04 10:00,2,5,José\n`, 'latin1'));
  parts.push(Buffer.from('Z2,2024-01-05 10:00,1,5,Zoë\n', 'utf8'));
  return Buffer.concat(parts);
}
