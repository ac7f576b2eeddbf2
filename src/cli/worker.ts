/**
 * Worker thread of parallel.ts. While the main thread reads the input, it runs k-means and the
 * silhouette once on a small fixed data set so that their code is compiled by the time the real
 * job comes; then it answers each job.
 */
import { parentPort } from 'node:worker_threads';
import { elbowPoint } from '../core/elbow.js';
import { seededRandom } from '../core/random.js';
import { work, type Job } from './parallel.js';

function warmUp(): void {
  const rng = seededRandom(1);
  const n = 2_000;
  const x = Float64Array.from({ length: n * 3 }, () => rng.next());
  for (const k of [2, 5]) elbowPoint(x, n, 3, k, { nInit: 2 });
}

warmUp();
parentPort!.on('message', (job: Job) => parentPort!.postMessage(work(job)));
