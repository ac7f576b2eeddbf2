/**
 * The one error family of rfm. Every failure a user can cause is an RfmError with a kind
 * (which maps to an exit code in src/cli/main.ts, the only place that knows exit codes),
 * a one-line message, a hint saying what to do, and where known the file/line/column.
 */
export type ErrorKind = 'usage' | 'input' | 'data' | 'model' | 'internal' | 'interrupted';

export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: number;
}

export class RfmError extends Error {
  readonly kind: ErrorKind;
  readonly hint?: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;

  constructor(kind: ErrorKind, message: string, options: ErrorLocation & { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RfmError';
    this.kind = kind;
    this.hint = options.hint;
    this.file = options.file;
    this.line = options.line;
    this.column = options.column;
  }

  /** The same error with a location filled in where it was not known yet. */
  at(location: ErrorLocation): RfmError {
    return new RfmError(this.kind, this.message, {
      hint: this.hint,
      file: this.file ?? location.file,
      line: this.line ?? location.line,
      column: this.column ?? location.column,
      cause: this.cause,
    });
  }
}

export const usageError = (message: string, hint?: string) => new RfmError('usage', message, { hint });
export const dataError = (message: string, options: ErrorLocation & { hint?: string } = {}) =>
  new RfmError('data', message, options);
export const modelError = (message: string, options: ErrorLocation & { hint?: string } = {}) =>
  new RfmError('model', message, options);
export const inputError = (message: string, options: ErrorLocation & { hint?: string } = {}) =>
  new RfmError('input', message, options);
