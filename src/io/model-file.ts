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

/** JSON text without the UTF-8 byte order mark an editor (Notepad, Excel) may put before it. */
export const withoutBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

export async function readModel(path: string): Promise<RfmModel> {
  let text: string;
  try {
    text = withoutBom(await readFile(path, 'utf8'));
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
    const { reason, position } = describeJsonError(text, (error as Error).message);
    const where = position === undefined ? undefined : lineAndColumn(text, position);
    throw modelError(`model ${path} is not valid JSON${where ? ` at line ${where.line}, column ${where.column}` : ''}: ${reason}`, {
      file: path,
      ...where,
      hint: 'the file may be truncated or edited by hand; refit with: rfm fit <transactions>',
    });
  }
  return validateModel(json, path);
}

/**
 * What JSON.parse's message says, without the raw text it may quote (which can span lines), and
 * where in the text the problem is when that can be told (V8 gives a position, or quotes the ten
 * characters either side of an unexpected token).
 */
export function describeJsonError(text: string, message: string): { reason: string; position?: number } {
  const at = /^(.*) in JSON at position (\d+)/.exec(message);
  if (at) return { reason: at[1].charAt(0).toLowerCase() + at[1].slice(1), position: Number(at[2]) };
  if (/Unexpected end of JSON input/.test(message)) {
    return { reason: text.trim() === '' ? 'the file is empty' : 'it ends too early (truncated?)', position: text.length };
  }
  const token = /^Unexpected token '(.)', (\.\.\.)?"([\s\S]*?)"(?:\.\.\.)? is not valid JSON$/.exec(message);
  if (token) {
    const [, char, leading, snippet] = token;
    const reason = `unexpected '${char}'${char === 'N' || char === 'I' ? ' (NaN and Infinity are not JSON numbers)' : ''}`;
    const start = text.indexOf(snippet);
    if (start < 0) return { reason };
    const offset = leading ? 10 : snippet.indexOf(char);
    return offset < 0 ? { reason } : { reason, position: start + offset };
  }
  return { reason: message };
}

/** 1-based line and column of a character offset. */
export function lineAndColumn(text: string, position: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < position; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: position - lineStart + 1 };
}

/** Serialises a model with a stable key order (the order of the RfmModel literal) and 2-space indent. */
export function serializeModel(model: RfmModel): string {
  return JSON.stringify(model, null, 2) + '\n';
}

export async function writeModel(path: string, model: RfmModel): Promise<void> {
  await withSink(await fileSink(path), (sink) => sink.write(serializeModel(model)));
}
