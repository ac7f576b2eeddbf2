/**
 * Builds small .xlsx workbooks in tests, byte by byte: a minimal zip writer (deflate, CRC-32 from
 * node:zlib, entries in the order given) and the few parts a workbook needs. For inputs no writer
 * produces (a 1 MiB cell, rows past Excel's grid, cells placed by order), and for the limits, whose
 * inputs are built here rather than committed.
 */
import { createDeflateRaw, crc32 } from 'node:zlib';

export type Content = string | Buffer | Iterable<string | Buffer>;

interface Entry {
  name: string;
  content: Content;
}

const asChunks = (content: Content): Iterable<string | Buffer> => (typeof content === 'string' || Buffer.isBuffer(content) ? [content] : content);

/** Deflates the chunks one at a time (a 256 MiB part never exists whole in memory). */
async function deflate(content: Content): Promise<{ data: Buffer; crc: number; size: number }> {
  const deflater = createDeflateRaw();
  const out: Buffer[] = [];
  deflater.on('data', (b: Buffer) => out.push(b));
  const ended = new Promise((resolve, reject) => deflater.on('end', resolve).on('error', reject));
  let crc = 0;
  let size = 0;
  for (const chunk of asChunks(content)) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    crc = crc32(bytes, crc);
    size += bytes.length;
    if (!deflater.write(bytes)) await new Promise((resolve) => deflater.once('drain', resolve));
  }
  deflater.end();
  await ended;
  return { data: Buffer.concat(out), crc, size };
}

/** A zip file of the entries, in the order given. */
export async function buildZip(entries: Entry[]): Promise<Buffer> {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const { data, crc, size } = await deflate(entry.content);
    const name = Buffer.from(entry.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(0, 10); // time
    local.writeUInt16LE((2024 - 1980) << 9 | 1 << 5 | 1, 12); // 2024-01-01
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // made by
    local.copy(central, 6, 4, 30); // version needed … name length, extra length
    central.writeUInt16LE(0, 30); // comment length
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG = 'http://schemas.openxmlformats.org/package/2006/relationships';

export interface BookSpec {
  /** Sheet names and their <sheetData> content, in workbook order. */
  sheets: { name: string; rows: Content }[];
  /** <si> items, as XML. */
  sharedStrings?: Content;
  /** numFmtId of each cellXfs entry (style s="i" gets formats[i]) and custom codes. */
  styles?: { formats: number[]; custom?: Record<number, string> };
  date1904?: boolean;
}

/** An .xlsx with the sheets stored before the workbook, its rels and the shared strings (openpyxl's order). */
export function buildWorkbook(spec: BookSpec): Promise<Buffer> {
  const entries: Entry[] = [
    { name: '_rels/.rels', content: `<Relationships xmlns="${PKG}"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>` },
  ];
  spec.sheets.forEach((sheet, i) =>
    entries.push({
      name: `xl/worksheets/sheet${i + 1}.xml`,
      content: ['<?xml version="1.0" encoding="UTF-8"?>', `<worksheet xmlns="${MAIN}"><sheetData>`, ...asChunks(sheet.rows), '</sheetData></worksheet>'],
    }),
  );
  const rels = spec.sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`);
  if (spec.sharedStrings !== undefined) {
    entries.push({ name: 'xl/sharedStrings.xml', content: [`<sst xmlns="${MAIN}">`, ...asChunks(spec.sharedStrings), '</sst>'] });
    rels.push(`<Relationship Id="rIdS" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>`);
  }
  if (spec.styles !== undefined) {
    const custom = Object.entries(spec.styles.custom ?? {}).map(([id, code]) => `<numFmt numFmtId="${id}" formatCode="${code.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"/>`);
    const xfs = spec.styles.formats.map((id) => `<xf numFmtId="${id}" fontId="0" fillId="0" borderId="0" xfId="0"/>`);
    entries.push({
      name: 'xl/styles.xml',
      content: `<styleSheet xmlns="${MAIN}"><numFmts>${custom.join('')}</numFmts><cellStyleXfs><xf numFmtId="14"/></cellStyleXfs><cellXfs>${xfs.join('')}</cellXfs></styleSheet>`,
    });
    rels.push(`<Relationship Id="rIdT" Type="${REL}/styles" Target="styles.xml"/>`);
  }
  entries.push({ name: 'xl/_rels/workbook.xml.rels', content: `<Relationships xmlns="${PKG}">${rels.join('')}</Relationships>` });
  const sheets = spec.sheets.map((s, i) => `<sheet name="${s.name}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('');
  entries.push({
    name: 'xl/workbook.xml',
    content: `<workbook xmlns="${MAIN}" xmlns:r="${REL}">${spec.date1904 ? '<workbookPr date1904="1"/>' : ''}<sheets>${sheets}</sheets></workbook>`,
  });
  return buildZip(entries);
}
