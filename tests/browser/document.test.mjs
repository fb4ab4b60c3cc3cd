// The document fixtures (tests/data/documents/*.pdf, printed by Chromium from their HTML)
// read in the page the way the site reads a file: pdf.js text items (www/extract.js) sent to
// the worker's `read_document` op, which must give back each `.expected.txt` exactly — the
// same text the native reader gives (tests/document_fixtures.rs). Needs `make site-vendor`
// (pdf.js in www/vendor/) and `make build`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  checkPrerequisites, requireFile, startServer, launch, freshProfileDir, removeDir, openTestPage,
  REPO, MODEL_PATH,
} from './helpers.mjs';

checkPrerequisites();
requireFile(path.join(REPO, 'www', 'vendor', 'pdf.min.mjs'), 'run `make site-vendor` (pdf.js)');

const DIR = path.join(REPO, 'tests', 'data', 'documents');
const FIXTURES = Object.keys(JSON.parse(fs.readFileSync(path.join(DIR, 'fixtures.json'), 'utf8')));

let server;
let browser;
let dir;

before(async () => {
  server = await startServer();
  dir = freshProfileDir();
  browser = await launch(dir);
  await openTestPage(browser.page, server);
});
after(async () => {
  await browser?.context.close();
  if (dir) removeDir(dir);
  await server?.close();
});

for (const name of FIXTURES) {
  test(`${name}.pdf through pdf.js and read_document gives ${name}.expected.txt`, async () => {
    const want = fs.readFileSync(path.join(DIR, `${name}.expected.txt`), 'utf8').trim();
    const got = await browser.page.evaluate(async ([name, modelUrl]) => {
      const { extractText, readDocumentArgs } = await import('/www/extract.js');
      const { startMatcher } = await import('/www/matcher.js');
      window.early ??= startMatcher({ modelUrl, weights: 'q8' });
      const bytes = await (await fetch(`/tests/data/documents/${name}.pdf`)).arrayBuffer();
      const extracted = await extractText(new File([bytes], `${name}.pdf`));
      const doc = await window.early.matcher.request('read_document', readDocumentArgs(extracted));
      return { text: doc.text, items: extracted.items.length, dropped: doc.dropped };
    }, [name, server.url + MODEL_PATH]);
    assert.ok(got.items > 10, JSON.stringify(got));
    assert.equal(got.text, want);
  });
}

test('read_document answers before the model is loaded, and names its errors', async () => {
  const r = await browser.page.evaluate(async (modelUrl) => {
    const { startMatcher } = await import('/www/matcher.js');
    const { matcher } = startMatcher({ modelUrl, weights: 'q8' });
    const text = await matcher.request('read_document', { kind: 'text', text: 'Jane Roe\n\nSkills\nRust, Go' });
    let error = null;
    try { await matcher.request('read_document', { kind: 'text', text: ' \n ' }); } catch (e) { error = e.code; }
    return { text: text.text, error };
  }, server.url + MODEL_PATH);
  assert.equal(r.text, 'Jane Roe\n\nSkills\nRust, Go');
  assert.equal(r.error, 'no_text');
});
