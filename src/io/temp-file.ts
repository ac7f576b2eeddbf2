/**
 * A temporary file opened for reading and writing and already unlinked, with its directory: it
 * never outlives the descriptor, whatever ends the process (stdin and .gz inputs spooled to be
 * read twice: the encoding decision in encoding.ts, the zip directory in xlsx-zip.ts).
 */
import { mkdtemp, open, rmdir, unlink, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function unlinkedTempFile(prefix: string): Promise<FileHandle> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const path = join(dir, 'input');
  try {
    return await open(path, 'w+', 0o600);
  } finally {
    await unlink(path).catch(() => undefined);
    await rmdir(dir);
  }
}
