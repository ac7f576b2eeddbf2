/**
 * One worker thread (batch-worker.ts) for large POST /segment batches: the main thread hands it
 * the body's JSON text and gets back the answer text, so that a 10,000-customer batch (a 3 ms
 * JSON.parse, scoring, a 450 KB join) never holds the event loop that answers /health. Jobs are
 * answered in order; a worker that dies fails its pending jobs (a 500) and is started again.
 *
 * The worker starts with the first large batch (about 50 ms, once) and stops after IDLE_MS
 * without one: an idle worker measurably slowed the single-customer load (serve-load.mjs, server
 * CPU per request 67–87 µs without it, 92–100 µs with it), which most servers only ever see.
 */
import { Worker } from 'node:worker_threads';
import type { RfmModel } from '../core/model.js';
import type { ErrorBody } from './errors.js';
import type { BatchJob } from './batch-worker.js';

type Reply = { id: number; answer: string } | { id: number; error: ErrorBody };

/** A worker with no batch for this long is stopped (the next batch starts another). */
const IDLE_MS = 30_000;

export class BatchPool {
  private worker?: Worker;
  private nextId = 0;
  private idleTimer?: NodeJS.Timeout;
  private readonly pending = new Map<number, { resolve: (r: string | ErrorBody) => void; reject: (e: Error) => void }>();

  constructor(private readonly model: RfmModel) {}

  private start(): Worker {
    const worker = new Worker(new URL('./batch-worker.js', import.meta.url), { workerData: { model: this.model } });
    worker.on('message', (reply: Reply) => {
      const job = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      job?.resolve('answer' in reply ? reply.answer : reply.error);
      if (this.pending.size === 0) this.stopWhenIdle();
    });
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const job of this.pending.values()) job.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the batch worker exited with code ${code}`)));
    worker.unref(); // an idle worker never keeps the process alive
    return worker;
  }

  private stopWhenIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.pending.size === 0) void this.close();
    }, IDLE_MS);
    this.idleTimer.unref();
  }

  /** The answer text (or error body) for a batch body given as JSON text. */
  score(text: string): Promise<string | ErrorBody> {
    clearTimeout(this.idleTimer);
    this.worker ??= this.start();
    const id = this.nextId++;
    const job: BatchJob = { id, text };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker!.postMessage(job);
    });
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) await worker.terminate();
  }
}
