/**
 * Reading and writing model files. Reading parses and validates (core/model.ts) and names the file
 * in every error; writing is atomic (temp file + rename), so a failed fit never replaces a model.
 */
import { readFile } from 'node:fs/promises';
import { modelError } from '../core/errors.js';
import { validateModel, type RfmModel } from '../core/model.js';
import { fileSink, withSink } from './output.js';

export const DEFAULT_MODEL_PATH = 'rfm-model.json';

/** -m/--model, else $RFM_MODEL, else ./rfm-model.json. */
export function modelPath(option: string | undefined, env: NodeJS.ProcessEnv): string {
  return option ?? (env.RFM_MODEL !== undefined && env.RFM_MODEL !== '' ? env.RFM_MODEL : DEFAULT_MODEL_PATH);
}

export async function readModel(path: string): Promise<RfmModel> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw modelError(`no model at ${path}`, {
        file: path,
        hint: 'make one with: rfm fit <transactions.csv> (or point to one with -m FILE or $RFM_MODEL)',
      });
    }
    if (code === 'EISDIR') throw modelError(`model path ${path} is a directory`, { file: path, hint: 'give the model JSON file' });
    throw modelError(`cannot read model ${path}: ${(error as Error).message}`, { file: path });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw modelError(`model ${path} is not valid JSON (${(error as Error).message})`, {
      file: path,
      hint: 'the file may be truncated or edited by hand; refit with: rfm fit <transactions>',
    });
  }
  return validateModel(json, path);
}

/** Serialises a model with a stable key order (the order of the RfmModel literal) and 2-space indent. */
export function serializeModel(model: RfmModel): string {
  return JSON.stringify(model, null, 2) + '\n';
}

export async function writeModel(path: string, model: RfmModel): Promise<void> {
  await withSink(await fileSink(path), (sink) => sink.write(serializeModel(model)));
}
