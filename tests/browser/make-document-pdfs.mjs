// Prints the HTML fixtures of tests/data/documents/ to PDF with Chromium's page.pdf(), the
// PDFs the document tests read (native: tests/document_fixtures.rs; browser:
// document.test.mjs). The PDFs are committed; run this again after changing a fixture:
//   cd tests/browser && node make-document-pdfs.mjs
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, REPO } from './helpers.mjs';

const DIR = path.join(REPO, 'tests', 'data', 'documents');

/**
 * Writes `<name>.pdf` for every fixture of fixtures.json (header/footer templates per fixture).
 * @returns {Promise<string[]>} the PDF paths
 */
export async function makeDocumentPdfs() {
  const fixtures = JSON.parse(fs.readFileSync(path.join(DIR, 'fixtures.json'), 'utf8'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const out = [];
  try {
    const page = await browser.newPage();
    for (const [name, opts] of Object.entries(fixtures)) {
      await page.goto(`file://${path.join(DIR, `${name}.html`)}`);
      const headerFooter = Boolean(opts.headerTemplate || opts.footerTemplate);
      const file = path.join(DIR, `${name}.pdf`);
      await page.pdf({
        path: file, format: 'A4', printBackground: false,
        margin: { top: '0.75in', bottom: '0.75in', left: '0.67in', right: '0.67in' },
        displayHeaderFooter: headerFooter,
        headerTemplate: opts.headerTemplate ?? '<span></span>',
        footerTemplate: opts.footerTemplate ?? '<span></span>',
      });
      out.push(file);
    }
  } finally {
    await browser.close();
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of await makeDocumentPdfs()) console.log(f);
}
