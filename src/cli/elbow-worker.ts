/**
 * Worker thread of elbow-parallel.ts. While the main thread reads the input, it runs k-means
 * once on a small fixed data set so that the code is compiled by the time the real job comes;
 * then it computes the elbow points of each job's k values.
 */
import { parentPort } from 'node:worker_threads';
import { elbowPoint } from '../core/elbow.js';
import { seededRandom } from '../core/random.js';
import type { WorkerJob } from './elbow-parallel.js';

function warmUp(): void {
  const rng = seededRandom(1);
  const n = 2_000;
  const x = Float64Array.from({ length: n * 3 }, () => rng.next());
  for (const k of [2, 5]) elbowPoint(x, n, 3, k, { nInit: 2, silhouettes: false });
}

warmUp();
parentPort!.on('message', (job: WorkerJob) => {
  parentPort!.postMessage(job.ks.map((k) => elbowPoint(job.x, job.n, job.d, k, job.options)));
});
