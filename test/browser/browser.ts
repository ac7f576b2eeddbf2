/**
 * Chromium for the browser tests: Debian's (or $RFM_CHROMIUM), headless, through playwright-core.
 * `watch(page)` records what a page does that a test must rule out: requests, dialogs, CSP
 * violations, page errors.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.RFM_CHROMIUM || '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

/**
 * Where screenshots go: $RFM_SCREENSHOTS (`RFM_SCREENSHOTS=docs/screenshots npm run test:browser`
 * refreshes the README's), else a temp directory, so that a CI run leaves the tree clean.
 */
export function screenshotPath(name: string): string {
  const dir = process.env.RFM_SCREENSHOTS ? resolve(process.env.RFM_SCREENSHOTS) : join(tmpdir(), 'rfm-screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking'] });
}

export interface Watched {
  requests: string[];
  dialogs: string[];
  violations: string[];
  errors: string[];
}

/** Starts recording on `page` (before it navigates). */
export async function watch(page: Page): Promise<Watched> {
  const watched: Watched = { requests: [], dialogs: [], violations: [], errors: [] };
  page.on('request', (request) => watched.requests.push(request.url()));
  page.on('dialog', (dialog) => {
    watched.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => watched.errors.push(error.message));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) watched.violations.push(message.text());
  });
  await page.exposeFunction('__recordViolation', (directive: string) => watched.violations.push(directive));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => (window as unknown as { __recordViolation(d: string): void }).__recordViolation(`${event.violatedDirective} ${event.blockedURI}`));
  });
  return watched;
}

/** What every chart on the page has for people who cannot see it: a title, a description and a table. */
export function chartAccessibility(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('svg.chart')].map((svg) => {
      const [titleId, descId] = (svg.getAttribute('aria-labelledby') ?? '').split(' ');
      return {
        id: svg.id,
        role: svg.getAttribute('role'),
        title: document.getElementById(titleId)?.textContent ?? '',
        desc: document.getElementById(descId)?.textContent ?? '',
        titleIsChild: document.getElementById(titleId)?.parentElement === svg,
        tableRows: svg.closest('figure')?.querySelectorAll('table tbody tr').length ?? 0,
      };
    }),
  );
}
