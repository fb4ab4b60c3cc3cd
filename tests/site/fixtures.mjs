// Resume files written by the tests: a PDF with a text layer (bytes by hand), a PDF with no
// text (a drawn shape only), a DOCX (a zip of WordprocessingML, via jszip), and bad files.
import JSZip from 'jszip';

/** A backend engineer's resume that fits the sample Rust job (www/jobs/jobs.jsonl, first line). */
export const RESUME_LINES = [
  'Dana Okafor',
  'Backend Engineer',
  'Experience',
  'Built Rust services on Tokio handling 15,000 requests per second for a payments platform',
  'Designed PostgreSQL schemas and tuned slow SQL queries in production',
  'Ran services on Kubernetes with Prometheus metrics, tracing and on-call alerts',
  'Mentored three junior engineers and reviewed code daily',
  'Skills',
  'Rust, Tokio, PostgreSQL, SQL, Kubernetes, Kafka, Docker',
];
export const RESUME_TEXT = RESUME_LINES.join('\n');

/** The first job of the sample board (the one on www/job-example.html). */
export const RUST_JOB = `Senior Backend Engineer (Rust)
Ferrowave Systems — Berlin, Germany (hybrid)

Requirements:
- 5+ years of backend development, at least 2 in Rust
- Strong SQL and experience with PostgreSQL in production
- Experience running services on Kubernetes
- Understanding of async I/O (Tokio) and distributed systems trade-offs

Nice to have:
- Experience with Kafka or another log-based message broker
- Background in payments or fintech`;

export const NURSE_JOB = `Registered Nurse, Intensive Care
St. Elsewhere Hospital

Requirements:
- Current nursing registration and ICU experience
- Ventilator management and patient assessment
- Night shifts and weekend rotation`;

/**
 * A one-page PDF whose content stream is `content`, with Helvetica as F1.
 * Offsets in the xref table are computed, so the file is valid, not just "repairable".
 * @param {string} content
 */
function pdfWithContent(content) {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
  ];
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** @param {string} s */
const pdfString = (s) => `(${s.replace(/[\\()]/g, (c) => `\\${c}`)})`;

/** The resume as a PDF with a real text layer (one line per text-showing operator). */
export function resumePdf() {
  const ops = ['BT', '/F1 11 Tf', '14 TL', '56 740 Td'];
  for (const line of RESUME_LINES) ops.push(`${pdfString(line)} Tj`, 'T*');
  ops.push('ET');
  return pdfWithContent(ops.join('\n'));
}

/** A PDF with no text layer: a scanned page would be an image; here, a filled rectangle. */
export function noTextPdf() {
  return pdfWithContent('0.2 0.2 0.2 rg\n56 500 400 200 re\nf');
}

/** The resume as a DOCX: the three parts Word needs, one paragraph per line. */
export async function resumeDocx() {
  const zip = new JSZip();
  zip.file('[Content_Types].xml', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>`);
  zip.file('_rels/.rels', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>`);
  const esc = (/** @type {string} */ s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const paras = RESUME_LINES.map((l) => `<w:p><w:r><w:t xml:space="preserve">${esc(l)}</w:t></w:r></w:p>`).join('');
  zip.file('word/document.xml', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${paras}</w:body></w:document>`);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

/** Starts like a zip (so it is taken for a DOCX) but the rest is noise. */
export function corruptDocx() {
  const noise = Buffer.alloc(4096);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + 13) % 251;
  return Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), noise]);
}

/** A PNG (signature, IHDR, IEND: a 1×1 image) to be named resume.pdf. */
export function pngBytes() {
  return Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
}
