/**
 * Worker thread of batch-pool.ts: parses, validates and scores large POST /segment batches off
 * the main thread, so that the main thread's only work for a batch is reading the body and
 * writing the answer — /health and single customers are answered meanwhile. It answers each
 * job with the answer's JSON text or the error body, exactly as the in-thread path would.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { validateModel } from '../core/model.js';
import { errorBody } from './errors.js';
import { invalidBody, segmentAnswerer } from './segment.js';
import { bodyShapeError } from './validate.js';

export interface BatchJob {
  id: number;
  /** The raw JSON text of the body. */
  text: string;
}

const answerer = segmentAnswerer(validateModel(workerData.model));

parentPort!.on('message', ({ id, text }: BatchJob) => {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    parentPort!.postMessage({ id, error: errorBody(400, 'invalid_json', `the body is not valid JSON (${(error as Error).message})`) });
    return;
  }
  const shape = bodyShapeError(body);
  if (shape !== undefined) {
    parentPort!.postMessage({ id, error: invalidBody([shape]) });
    return;
  }
  const answer = answerer.batchNow(body as unknown[]);
  parentPort!.postMessage(typeof answer === 'string' ? { id, answer } : { id, error: answer });
});
