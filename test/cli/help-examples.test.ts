/**
 * The worked examples in --help that show an answer must give that answer on the bundled sample
 * (its model is what `rfm fit fixtures/online_retail_sample.csv` writes).
 */
import { describe, expect, it } from 'vitest';
import { fixture, runRfm, runShell } from './helpers.js';

const MODEL = fixture('models', 'sample-model.json');

/** The `$ rfm …` line of a help text that is followed by a JSON answer, and that answer. */
function segmentExample(help: string): { args: string[]; answer: string } {
  const m = /\$ rfm (segment --recency \d+ --frequency \d+ --monetary \d+)\n\s*(\{.*\})/.exec(help);
  expect(m, help).not.toBeNull();
  return { args: m![1]!.split(' '), answer: m![2]! };
}

describe('--help examples', () => {
  it.each([[['--help']], [['segment', '--help']]])('rfm %s: the segment example answers as shown', async (helpArgs) => {
    const help = await runRfm(helpArgs);
    const { args, answer } = segmentExample(help.stdout);
    const r = await runRfm([...args, '-m', MODEL]);
    expect(r.stdout.trim()).toBe(answer);
  });

  it('rfm serve --help: the curl example body answers as shown by rfm segment', async () => {
    const help = (await runRfm(['serve', '--help'])).stdout;
    const body = /-d '(\{.*\})'/.exec(help)![1]!;
    const shown = /\n\s*(\{"cluster".*\})/.exec(help)![1]!;
    const { recency, frequency, monetary } = JSON.parse(body) as Record<string, number>;
    const r = await runRfm(['segment', '--recency', String(recency), '--frequency', String(frequency), '--monetary', String(monetary), '-m', MODEL]);
    expect(r.stdout.trim()).toBe(shown);
  });

  it('rfm rfm --help: the first lines shown are the sample\'s', async () => {
    const help = (await runRfm(['rfm', '--help'])).stdout;
    const shown = /\| head -3\n((?:\s+.*\n){3})/.exec(help)![1]!.split('\n').map((l) => l.trim()).filter(Boolean);
    const r = await runShell(`node bin/rfm.js rfm fixtures/online_retail_sample.csv --format csv -q | head -3`);
    expect(r.stdout.trim().split('\n')).toEqual(shown);
  });
});
