/**
 * The page of `rfm serve` at GET / (src/server/page.ts) through Fastify's inject: its headers (the
 * CSP above all), that its only script is the static file it links, that the file and the
 * stylesheet are served, and that a hostile model's strings arrive as text. test/browser/ runs it
 * in Chromium.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateModel } from '../../src/core/model.js';
import { buildApp } from '../../src/server/app.js';

const load = (name: string) => validateModel(JSON.parse(readFileSync(new URL(`../../fixtures/models/${name}`, import.meta.url), 'utf8')));

describe('GET /', () => {
  it('sends the page with a CSP that allows only this server and no inline script or style', async () => {
    const app = await buildApp(load('sample-model.json'), { logger: false });
    const r = await app.inject({ method: 'GET', url: '/' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    );
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    // One script element, the static file, empty; no inline style (the CSP would block it).
    expect(r.body.match(/<script\b[^>]*>/g)).toEqual(['<script src="/assets/page.js" defer>']);
    expect(r.body).toContain('<script src="/assets/page.js" defer></script>');
    expect(r.body).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(r.body).toContain('<link rel="stylesheet" href="/assets/rfm.css">');
    expect(r.body).toContain('<form class="lookup" id="lookup-form" action="/segment" method="post">');
    // The report's sections for the model, without the ones that need per-customer data.
    expect(r.body).toContain('<dt>customers</dt><dd>4,339</dd>');
    expect(r.body).not.toContain('rfm report --data');
    await app.close();
  });

  it('serves the script and the stylesheet it links', async () => {
    const app = await buildApp(load('sample-model.json'), { logger: false });
    const script = await app.inject({ method: 'GET', url: '/assets/page.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toBe(readFileSync(new URL('../../assets/page.js', import.meta.url), 'utf8'));
    const css = await app.inject({ method: 'GET', url: '/assets/rfm.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.body).toContain('@page { size: A4;');
    await app.close();
  });

  it('shows a hostile model\'s names, descriptions and source as text', async () => {
    const app = await buildApp(load('hostile-model.json'), { logger: false });
    const r = await app.inject({ method: 'GET', url: '/' });
    expect(r.body.match(/<script\b/g)).toHaveLength(1);
    for (const raw of ['<img', '<svg onload', '</svg><script', '</title><script', '<b>rfm</b>']) expect(r.body).not.toContain(raw);
    expect(r.body).toContain('&lt;/svg&gt;&lt;script&gt;window.__pwned=3&lt;/script&gt;');
    await app.close();
  });

  it('needs the token like the other routes when the server has one', async () => {
    const app = await buildApp(load('sample-model.json'), { logger: false, token: 's3cret' });
    const refused = await app.inject({ method: 'GET', url: '/' });
    expect(refused.statusCode).toBe(401);
    expect(JSON.parse(refused.body).code).toBe('unauthorized');
    const allowed = await app.inject({ method: 'GET', url: '/', headers: { authorization: 'Bearer s3cret' } });
    expect(allowed.statusCode).toBe(200);
    await app.close();
  });
});
