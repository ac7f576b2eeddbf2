/**
 * Worker thread of parallel.ts: answers each job. It does nothing while the main thread reads
 * the input: on two cores that share a physical one, a warm-up run of k-means here slowed the read
 * by more (~60 ms) than it saved the elbow later (~0-35 ms), measured on the bench file.
 */
import { parentPort } from 'node:worker_threads';
import { work, type Job } from './parallel.js';

parentPort!.on('message', (job: Job) => parentPort!.postMessage(work(job)));
