/**
 * HTML to PDF through a headless Chromium driven by playwright-core, for `rfm report -o
 * report.pdf`. playwright-core is loaded only here, on first use (it costs ~100 ms and only PDF
 * runs need it). The browser is the system's: $RFM_CHROMIUM, else /usr/bin/chromium; missing, it
 * is an input error naming it and what to do. The page may not fetch anything: every request
 * but the document itself is aborted.
 */
import { access, constants } from 'node:fs/promises';
import { inputError } from '../core/errors.js';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** $RFM_CHROMIUM when set, else /usr/bin/chromium. */
export const chromiumPath = (env: NodeJS.ProcessEnv) => (env.RFM_CHROMIUM !== undefined && env.RFM_CHROMIUM !== '' ? env.RFM_CHROMIUM : DEFAULT_CHROMIUM);

/** Flags for a headless Chromium that calls nowhere (no sandbox: it runs as root in containers). */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

async function executable(path: string, target: string): Promise<void> {
  try {
    await access(path, constants.X_OK);
  } catch {
    throw inputError(`cannot write ${target}: Chromium is not installed at ${path}, and the PDF is printed by Chromium`, {
      hint: 'install it (Debian/Ubuntu: apt-get install chromium), or set $RFM_CHROMIUM to its path, or write HTML with -o report.html',
    });
  }
}

/** The PDF (A4, backgrounds printed) of a self-contained HTML document. */
export async function htmlToPdf(html: string, env: NodeJS.ProcessEnv, target: string): Promise<Uint8Array> {
  const path = chromiumPath(env);
  await executable(path, target);
  let playwright: typeof import('playwright-core');
  try {
    playwright = await import('playwright-core');
  } catch (error) {
    throw inputError(`cannot write ${target}: the package playwright-core, which drives Chromium, is not installed (${(error as Error).message.split('\n')[0]})`, {
      hint: 'reinstall rfm with its dependencies (npm install), or write HTML with -o report.html',
    });
  }
  let browser: Awaited<ReturnType<typeof playwright.chromium.launch>>;
  try {
    browser = await playwright.chromium.launch({ executablePath: path, headless: true, args: CHROMIUM_ARGS });
  } catch (error) {
    throw inputError(`cannot write ${target}: Chromium at ${path} did not start: ${(error as Error).message.split('\n')[0]}`, {
      hint: 'check that it runs (chromium --headless --version), or set $RFM_CHROMIUM to another one',
    });
  }
  try {
    const page = await browser.newPage();
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    await page.emulateMedia({ media: 'print' });
    return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
  } finally {
    await browser.close();
  }
}
