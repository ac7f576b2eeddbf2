/**
 * rfm relabel -m model.json --labels labels.json [-o out.json] — renames segments (by cluster
 * number or by current name) without refitting. The new model is validated as any model read back
 * is, then written atomically (temp file, then rename) over -m or to -o.
 */
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { inputError, RfmError } from '../../core/errors.js';
import { validateModel, type RfmModel } from '../../core/model.js';
import { readLabels, renameSegments } from '../../core/relabel.js';
import { describeJsonError, lineAndColumn, modelPath, readModel, serializeModel, withoutBom, writeModel } from '../../io/model-file.js';
import { checkWritable } from '../../io/output.js';
import type { Context } from '../context.js';
import { addModelOption, addStderrOptions } from '../options.js';
import type { RunWrapper } from './index.js';

async function labelsJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = withoutBom(await readFile(path, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw inputError(`cannot read --labels ${path}: ${reason}`, { file: path, hint: 'give a JSON file like {"0": "VIP"}' });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const { reason, position } = describeJsonError(text, (error as Error).message);
    const where = position === undefined ? undefined : lineAndColumn(text, position);
    const at = where ? ` at line ${where.line}, column ${where.column}` : '';
    throw new RfmError('usage', `--labels ${path} is not valid JSON${at}: ${reason}`, { file: path, ...where, hint: 'give a JSON object like {"0": "VIP", "Churn Risk": "Lapsed"}' });
  }
}

export function relabelCommand(run: RunWrapper): Command {
  const command = new Command('relabel')
    .description('rename segments of a model (by cluster number or current name) without refitting')
    .requiredOption('--labels <file>', 'JSON {"0": "VIP", "Churn Risk": "Lapsed", ...}: new names by cluster number or current name')
    .option('-o, --output <file>', 'write the renamed model to FILE (default: replace the -m model, atomically)');
  addStderrOptions(command, 'no summary on stderr');
  addModelOption(command);
  command.addHelpText(
    'after',
    `
Example:
  $ echo '{"0": "VIP", "Churn Risk": "Lapsed"}' > labels.json
  $ rfm relabel -m rfm-model.json --labels labels.json -o renamed.json`,
  );
  return command.action(
    run(async (ctx: Context) => {
      const o = command.opts<{ model?: string; labels: string; output?: string }>();
      const path = modelPath(o.model, ctx.streams.env);
      const target = o.output ?? path;
      await checkWritable(target);
      const model = await readModel(path);
      const json = await labelsJson(o.labels);
      const source = `--labels ${o.labels}`;
      let renames: Map<number, string>;
      let renamed: RfmModel;
      try {
        renames = readLabels(json, source, model.params.k, model.segments.map((s) => s.name));
        renamed = { ...model, segments: renameSegments(model.segments, renames, source) };
      } catch (error) {
        throw error instanceof RfmError ? error.at({ file: o.labels }) : error;
      }
      // What is written must read back: the same check as every model read.
      validateModel(JSON.parse(serializeModel(renamed)), target);
      await writeModel(target, renamed);
      for (const [cluster, name] of renames) {
        ctx.info(`cluster ${cluster}: ${model.segments[cluster].name} → ${name}`);
      }
      ctx.info(`model written to ${target}`);
    }),
  );
}
