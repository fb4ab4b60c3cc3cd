// Resume files → plain text, in the page (nothing is uploaded). The file type is decided by
// its first bytes, not its name, so an image renamed .pdf gets a message that says so.
// pdf.js and mammoth are third-party code installed by `make site-vendor` into www/vendor/;
// each is loaded only when a file of its type is opened.

/** Files above this size are refused before being read (a resume is rarely over 2 MB). */
export const MAX_BYTES = 15 * 1024 * 1024;

/** Where the vendored libraries live (next to this module). */
const VENDOR = new URL('./vendor/', import.meta.url);

/** An extraction failure with a message meant for the person who chose the file. */
export class ExtractError extends Error {
  /**
   * @param {'too_large'|'unsupported'|'no_text'|'corrupt'|'vendor_missing'} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.name = 'ExtractError';
    this.code = code;
  }
}

/**
 * One pdf.js text run with its position, as the worker's `read_document` takes it
 * (PDF user space: `y` is the baseline, going up the page).
 * @typedef {object} TextItem
 * @property {string} str
 * @property {number} x
 * @property {number} y
 * @property {number} width
 * @property {number} height
 * @property {string} fontName  the PDF's font name when pdf.js knows it (icon fonts are told by it)
 * @property {boolean} bold
 * @property {number} size
 * @property {number} page  from 1
 */

/**
 * One DOCX paragraph (mammoth).
 * @typedef {object} Paragraph
 * @property {string} text
 * @property {boolean} heading
 * @property {boolean} bullet
 */

/**
 * @typedef {object} Extracted
 * @property {string} text  the text as the file draws it (a fallback; the worker's `read_document` rebuilds it from items/paragraphs)
 * @property {'pdf'|'docx'|'text'} kind
 * @property {string} detail  e.g. "2 pages"
 * @property {TextItem[]} [items]  PDF: positioned text runs
 * @property {Paragraph[]} [paragraphs]  DOCX: paragraphs
 */

/**
 * The arguments of the worker op `read_document` for what was extracted.
 * @param {Extracted} x
 * @returns {{kind: 'pdf', items: TextItem[]} | {kind: 'docx', paragraphs: Paragraph[]} | {kind: 'text', text: string}}
 */
export function readDocumentArgs(x) {
  if (x.kind === 'pdf' && x.items) return { kind: 'pdf', items: x.items };
  if (x.kind === 'docx' && x.paragraphs) return { kind: 'docx', paragraphs: x.paragraphs };
  return { kind: 'text', text: x.text };
}

/** @param {number} n */
const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;

/**
 * What a file is, from its first bytes.
 * @param {Uint8Array} head
 * @returns {'pdf'|'zip'|'png'|'jpeg'|'gif'|'webp'|'ole'|'unknown'}
 */
export function sniff(head) {
  const starts = (/** @type {number[]} */ sig, at = 0) => sig.every((b, i) => head[at + i] === b);
  // %PDF- may follow a little junk (the spec allows it within the first 1 KB)
  const ascii = new TextDecoder('latin1').decode(head.subarray(0, 1024));
  if (ascii.includes('%PDF-')) return 'pdf';
  if (starts([0x50, 0x4b, 0x03, 0x04])) return 'zip';
  if (starts([0x89, 0x50, 0x4e, 0x47])) return 'png';
  if (starts([0xff, 0xd8, 0xff])) return 'jpeg';
  if (starts([0x47, 0x49, 0x46, 0x38])) return 'gif';
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  if (starts([0xd0, 0xcf, 0x11, 0xe0])) return 'ole';
  return 'unknown';
}

/**
 * Reads a resume file into text.
 * @param {File} file
 * @returns {Promise<Extracted>}
 */
export async function extractText(file) {
  if (file.size > MAX_BYTES) {
    throw new ExtractError('too_large',
      `“${file.name}” is ${mb(file.size)}; the limit is ${mb(MAX_BYTES)}. A resume is usually well under 1 MB — export it again without images, or paste its text.`);
  }
  if (file.size === 0) throw new ExtractError('no_text', `“${file.name}” is empty.`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const kind = sniff(bytes.subarray(0, 1024));
  const named = file.name.toLowerCase();
  switch (kind) {
    case 'pdf': return extractPdf(bytes, file.name);
    case 'zip':
      if (named.endsWith('.docx') || !/\.\w+$/.test(named)) return extractDocx(bytes, file.name);
      throw new ExtractError('unsupported', `“${file.name}” is a zip archive, not a DOCX document. Choose a PDF, DOCX or text file.`);
    case 'png': case 'jpeg': case 'gif': case 'webp':
      throw new ExtractError('unsupported',
        `“${file.name}” is a ${kind.toUpperCase()} image${named.endsWith('.pdf') ? ', not a PDF' : ''}: there is no text to read in it. Choose a PDF, DOCX or text file, or paste the text.`);
    case 'ole':
      throw new ExtractError('unsupported', `“${file.name}” is an old Word (.doc) file. Save it as .docx or PDF, or paste the text.`);
    default:
      if (named.endsWith('.pdf')) throw new ExtractError('corrupt', `“${file.name}” is not a valid PDF (it does not start like one). Export it again, or paste the text.`);
      if (named.endsWith('.docx')) throw new ExtractError('corrupt', `“${file.name}” is not a valid DOCX file (it is not a zip archive). Save it again from your editor, or paste the text.`);
      return extractPlain(bytes, file.name);
  }
}

/**
 * @param {Uint8Array} bytes
 * @param {string} name
 * @returns {Extracted}
 */
function extractPlain(bytes, name) {
  const text = new TextDecoder('utf-8').decode(bytes);
  let bad = 0;
  for (const ch of text) if (ch === '\uFFFD' || ch === '\0') bad++;
  if (text.includes('\0') || bad > text.length * 0.02) {
    throw new ExtractError('unsupported', `“${name}” is not a text file, PDF or DOCX. Choose one of those, or paste the text.`);
  }
  if (!text.trim()) throw new ExtractError('no_text', `“${name}” has no text in it.`);
  return { text: text.replace(/\r\n?/g, '\n'), kind: 'text', detail: `${text.length} characters` };
}

/** @type {Promise<any>|null} */
let pdfjsPromise = null;

/** pdf.js, imported on first use, with its worker beside it. */
function loadPdfjs() {
  pdfjsPromise ??= import(new URL('pdf.min.mjs', VENDOR).href).then((pdfjs) => {
    pdfjs.GlobalWorkerOptions.workerSrc = new URL('pdf.worker.min.mjs', VENDOR).href;
    return pdfjs;
  }).catch((e) => {
    pdfjsPromise = null;
    throw new ExtractError('vendor_missing', `The PDF reader could not be loaded (${e.message}). Paste the resume text instead; site owners: run \`make site-vendor\`.`);
  });
  return pdfjsPromise;
}

/**
 * @param {Uint8Array} bytes
 * @param {string} name
 * @returns {Promise<Extracted>}
 */
async function extractPdf(bytes, name) {
  const pdfjs = await loadPdfjs();
  let doc;
  try {
    // No eval, no font loading into the page, no fetches beyond the vendored worker.
    doc = await pdfjs.getDocument({ data: bytes, isEvalSupported: false, disableFontFace: true, useSystemFonts: false, stopAtErrors: false }).promise;
  } catch (e) {
    const msg = /** @type {Error} */ (e).name === 'PasswordException'
      ? `“${name}” is password-protected. Save a copy without a password, or paste the text.`
      : `“${name}” could not be read as a PDF (${/** @type {Error} */ (e).message}). Export it again, or paste the text.`;
    throw new ExtractError('corrupt', msg);
  }
  try {
    if (doc.numPages > MAX_PAGES) {
      throw new ExtractError('too_large', `“${name}” has ${doc.numPages} pages; the limit is ${MAX_PAGES} pages. Keep the pages of the resume, or paste its text.`);
    }
    const pages = [];
    /** @type {TextItem[]} */
    const items = [];
    for (let p = 1; p <= doc.numPages; p++) {
      const page = await doc.getPage(p);
      const content = await page.getTextContent();
      const fonts = await fontNames(page, content.items);
      let out = '';
      for (const item of content.items) {
        if (!('str' in item)) continue;
        out += item.str;
        if (item.hasEOL) out += '\n';
        if (!item.str.trim()) continue;
        const [a, b, c, d, e, f] = item.transform;
        const fontName = fonts.get(item.fontName) ?? item.fontName ?? '';
        items.push({
          str: item.str, x: e, y: f, width: item.width, height: item.height,
          fontName, bold: /bold|black|heavy|semibold|demi/i.test(fontName),
          size: Math.hypot(c, d) || Math.hypot(a, b) || item.height, page: p,
        });
      }
      pages.push(out.trim());
      page.cleanup();
    }
    const text = pages.filter(Boolean).join('\n\n');
    if (text.replace(/\s/g, '').length < 20) {
      throw new ExtractError('no_text',
        `“${name}” has no text layer (it is probably a scan or a picture of the resume), so there is nothing to read. Export the resume as a text PDF or DOCX, or paste the text.`);
    }
    return { text, items, kind: 'pdf', detail: `${doc.numPages} page${doc.numPages === 1 ? '' : 's'}` };
  } catch (e) {
    if (e instanceof ExtractError) throw e;
    throw new ExtractError('corrupt', `“${name}” could not be read as a PDF (${/** @type {Error} */ (e).message}).`);
  } finally {
    doc.destroy();
  }
}

/**
 * The real font names of a page's text runs (pdf.js ids such as "g_d0_f3" → "ABCDEF+Lato-Bold"):
 * bold and icon fonts are told by name. Fonts reach `commonObjs` once the page's operator list
 * is built; when that fails the ids are kept (no bold, which only weakens heading detection).
 * @param {any} page
 * @param {any[]} items
 * @returns {Promise<Map<string, string>>}
 */
async function fontNames(page, items) {
  /** @type {Map<string, string>} */
  const names = new Map();
  try {
    await page.getOperatorList();
    for (const item of items) {
      if (!item.fontName || names.has(item.fontName)) continue;
      const font = page.commonObjs.has(item.fontName) ? page.commonObjs.get(item.fontName) : null;
      names.set(item.fontName, String(font?.name ?? item.fontName));
    }
  } catch { /* keep the ids */ }
  return names;
}

/** The most PDF pages read (the worker's `read_document` has the same limit). */
export const MAX_PAGES = 200;

/** @type {Promise<any>|null} */
let mammothPromise = null;

/** mammoth's browser build (a classic script that sets `window.mammoth`), loaded on first use. */
function loadMammoth() {
  mammothPromise ??= new Promise((resolve, reject) => {
    if (/** @type {any} */ (globalThis).mammoth) { resolve(/** @type {any} */ (globalThis).mammoth); return; }
    const script = document.createElement('script');
    script.src = new URL('mammoth.browser.min.js', VENDOR).href;
    script.onload = () => resolve(/** @type {any} */ (globalThis).mammoth);
    script.onerror = () => reject(new Error(`cannot load ${script.src}`));
    document.head.append(script);
  }).catch((e) => {
    mammothPromise = null;
    throw new ExtractError('vendor_missing', `The DOCX reader could not be loaded (${e.message}). Paste the resume text instead; site owners: run \`make site-vendor\`.`);
  });
  return mammothPromise;
}

/**
 * @param {Uint8Array} bytes
 * @param {string} name
 * @returns {Promise<Extracted>}
 */
async function extractDocx(bytes, name) {
  const mammoth = await loadMammoth();
  let result;
  try {
    // HTML rather than raw text: it keeps which paragraphs are headings and list items.
    result = await mammoth.convertToHtml({ arrayBuffer: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) });
  } catch (e) {
    throw new ExtractError('corrupt',
      `“${name}” could not be read as a DOCX document (${/** @type {Error} */ (e).message}). Save it again from your editor, export it as PDF, or paste the text.`);
  }
  const paragraphs = htmlParagraphs(String(result.value ?? ''));
  const text = paragraphs.map((p) => p.text).join('\n');
  if (text.replace(/\s/g, '').length < 20) {
    throw new ExtractError('no_text', `“${name}” has almost no text in it. Check the file, or paste the text.`);
  }
  return { text, paragraphs, kind: 'docx', detail: `${paragraphs.length} paragraphs` };
}

/**
 * mammoth's HTML → paragraphs: every p, h1–h6 and li (its own text, without nested lists).
 * @param {string} html
 * @returns {Paragraph[]}
 */
export function htmlParagraphs(html) {
  // No script runs, nothing loads and nothing is attached to the page; only textContent is read.
  // html-sink-reviewed: inert DOMParser document
  const body = new DOMParser().parseFromString(html, 'text/html').body;
  /** @type {Paragraph[]} */
  const out = [];
  for (const node of body.querySelectorAll('p, h1, h2, h3, h4, h5, h6, li')) {
    let text = '';
    for (const child of node.childNodes) {
      if (child.nodeName === 'UL' || child.nodeName === 'OL') continue;
      text += child.textContent ?? '';
    }
    text = text.replace(/\s+/g, ' ').trim();
    if (text) out.push({ text, heading: /^H\d$/.test(node.nodeName), bullet: node.nodeName === 'LI' });
  }
  return out;
}
