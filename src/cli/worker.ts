/**
 * Worker thread of parallel.ts: answers each job. While the main thread reads the input, it runs
 * k-means twice (and a silhouette once) on 500 made-up points, so that this code is compiled by the
 * time the elbow comes. On this VM's two vCPUs, which slow each other, that costs the read ~25 ms
 * on the bench file and saves the elbow ~40 ms; the larger warm-up this used to run, silhouettes
 * included, cost the read ~60 ms.
 */
import { parentPort } from 'node:worker_threads';
import { elbowPoint } from '../core/elbow.js';
import { seededRandom } from '../core/random.js';
import { work, type Job } from './parallel.js';

function warmUp(): void {
  const rng = seededRandom(1);
  const n = 500;
  const x = Float64Array.from({ length: n * 3 }, () => rng.next());
  for (const k of [2, 5]) elbowPoint(x, n, 3, k, { nInit: 2, silhouettes: k === 2 });
}

warmUp();
// A job's answer may be a promise (the records of a CSV output are written through an async sink).
// Their blocks of bytes are handed over, not copied: tens of megabytes on a million customers.
parentPort!.on('message', async (job: Job) => {
  const answer = await work(job);
  const blocks = job.kind === 'records' ? (answer as Uint8Array[]) : [];
  parentPort!.postMessage(answer, blocks.map((block) => block.buffer as ArrayBuffer));
});
