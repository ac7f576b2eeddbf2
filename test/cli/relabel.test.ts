/**
 * rfm relabel (issue 16): renames segments by cluster number or current name without refitting;
 * the result reads back as a valid model, only names (and the actions that follow them) change,
 * and a bad labels file is a one-line error with its exit code and nothing written.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { readModel } from '../../src/io/model-file.js';
import { fixture, runRfm, tempDir } from './helpers.js';

const SAMPLE_MODEL = fixture('models', 'sample-model.json');
const ORIGINAL = readFileSync(SAMPLE_MODEL, 'utf8');
const tmp = tempDir('rfm-relabel-');
afterAll(() => tmp.cleanup());

function labels(name: string, content: string): string {
  writeFileSync(tmp.path(name), content);
  return tmp.path(name);
}

describe('rfm relabel', () => {
  it('renames by cluster number and by current name, to -o, leaving the model it read alone', async () => {
    const file = labels('mixed.json', JSON.stringify({ 0: 'VIP', 'Churn Risk': 'Lapsed', 2: 'Champions' }));
    const r = await runRfm(['relabel', '-m', SAMPLE_MODEL, '--labels', file, '-o', tmp.path('out.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('cluster 3: Churn Risk → Lapsed');
    expect(readFileSync(SAMPLE_MODEL, 'utf8')).toBe(ORIGINAL);
    const before = JSON.parse(ORIGINAL);
    const after = await readModel(tmp.path('out.json'));
    expect(after.segments.map((s) => s.name)).toEqual(['VIP', 'Potential Loyalists', 'Champions', 'Lapsed']);
    // A vocabulary name brings its action; a name of one's own keeps the segment's; descriptions stay.
    expect(after.segments[2].action).toMatch(/referrals/);
    expect(after.segments[0].action).toBe(before.segments[0].action);
    expect(after.segments[3].action).toBe(before.segments[3].action);
    expect(after.segments.map((s) => s.description)).toEqual(before.segments.map((s: { description: string }) => s.description));
    // Nothing else changes: the same model with other names and actions.
    const strip = (m: { segments: { name: string; action: string }[] }) => ({ ...m, segments: m.segments.map(({ name: _n, action: _a, ...rest }) => rest) });
    expect(strip(after)).toEqual(strip(before));
  });

  it('replaces the -m model in place when there is no -o, and the result still segments customers', async () => {
    copyFileSync(SAMPLE_MODEL, tmp.path('inplace.json'));
    const file = labels('swap.json', JSON.stringify({ 'Loyal High-Value': 'Best', 'Potential Loyalists': 'Loyal High-Value' }));
    const r = await runRfm(['relabel', '-m', tmp.path('inplace.json'), '--labels', file, '-q']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(tmp.files().filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const s = await runRfm(['segment', '-m', tmp.path('inplace.json'), '--recency', '15', '--frequency', '2', '--monetary', '800']);
    expect(JSON.parse(s.stdout)).toEqual({ cluster: 1, segment: 'Loyal High-Value' });
  });

  it('gives the same model as fit --labels with the same names', async () => {
    const env = { SOURCE_DATE_EPOCH: '1764633600' };
    const file = labels('same.json', JSON.stringify({ 0: 'VIP', 2: 'Champions' }));
    const fitted = await runRfm(['fit', 'fixtures/online_retail_sample.csv', '--labels', file, '-m', tmp.path('fit-labels.json'), '-q', '--format', 'json'], { env });
    const relabelled = await runRfm(['relabel', '-m', SAMPLE_MODEL, '--labels', file, '-o', tmp.path('relabelled.json'), '-q']);
    expect([fitted.code, relabelled.code]).toEqual([0, 0]);
    expect(readFileSync(tmp.path('relabelled.json'), 'utf8')).toBe(readFileSync(tmp.path('fit-labels.json'), 'utf8'));
  });

  const bad: [string, string, number, RegExp][] = [
    ['unknown-cluster.json', '{"7": "VIP"}', 2, /^rfm: error: --labels \S+unknown-cluster\.json: key "7" is not a cluster 0\.\.3; or use a segment name: Loyal High-Value, /],
    ['unknown-name.json', '{"Whales": "VIP"}', 2, /--labels \S+unknown-name\.json: key "Whales" is neither a cluster 0\.\.3 nor a segment of this model; the segments are: 0 Loyal High-Value, 1 Potential Loyalists/],
    ['duplicate.json', '{"0": "Same", "1": "Same"}', 2, /--labels \S+duplicate\.json: clusters 0 and 1 would both be named "Same"/],
    ['clash.json', '{"3": "Occasional Buyers"}', 2, /clusters 2 and 3 would both be named "Occasional Buyers"/],
    ['twice.json', '{"0": "A", "Loyal High-Value": "B"}', 2, /cluster 0 \(Loyal High-Value\) is renamed twice/],
    ['empty-name.json', '{"1": "   "}', 2, /--labels \S+empty-name\.json: the name for cluster 1 must be a non-empty string/],
    ['number-name.json', '{"1": 5}', 2, /the name for cluster 1 must be a non-empty string/],
    ['array.json', '["VIP"]', 2, /--labels \S+array\.json must be a JSON object \(of new names by cluster or by current name\)/],
    ['not-json.json', '{"0": "VIP",\n oops}', 2, /--labels \S+not-json\.json is not valid JSON at line 2, column 2: /],
    ['empty.json', '', 2, /--labels \S+empty\.json is not valid JSON.*: the file is empty/],
  ];

  it.each(bad)('%s is refused: one line with its exit code, the model untouched, nothing written', async (name, content, code, message) => {
    copyFileSync(SAMPLE_MODEL, tmp.path(`model-${name}`));
    const r = await runRfm(['relabel', '-m', tmp.path(`model-${name}`), '--labels', labels(name, content)]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
    expect(readFileSync(tmp.path(`model-${name}`), 'utf8')).toBe(ORIGINAL);
    expect(tmp.files().filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a labels file that does not exist is an input error (exit 3); a bad model a model error (exit 5)', async () => {
    const missing = await runRfm(['relabel', '-m', SAMPLE_MODEL, '--labels', tmp.path('nope.json')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/cannot read --labels \S+nope\.json: no such file/);
    const model = await runRfm(['relabel', '-m', fixture('bad', 'model-wrong-k.json'), '--labels', labels('ok.json', '{"0": "VIP"}'), '-o', tmp.path('never.json')]);
    expect(model.code).toBe(5);
    expect(model.stderr).toMatch(/model-wrong-k\.json is invalid/);
    expect(tmp.files()).not.toContain('never.json');
  });

  it('--errors json names the labels file', async () => {
    const file = labels('json-errors.json', '{"9": "VIP"}');
    const r = await runRfm(['relabel', '-m', SAMPLE_MODEL, '--labels', file, '--errors', 'json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr)).toMatchObject({ code: 2, kind: 'usage', file, message: `--labels ${file}: key "9" is not a cluster 0..3` });
  });

  it('--labels is required', async () => {
    const r = await runRfm(['relabel', '-m', SAMPLE_MODEL]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/required option '--labels <file>' not specified/);
  });
});
