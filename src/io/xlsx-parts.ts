/**
 * The small parts of a workbook that give meaning to a sheet's cells, read before any sheet: the
 * package rels (where the workbook is), the workbook (sheet names in order, the date system), its
 * rels (where each sheet, the styles and the shared strings are), the styles (which cell styles are
 * dates) and the shared strings (the text of `t="s"` cells).
 */
import { posix } from 'node:path';
import { inputError } from '../core/errors.js';
import { isDateFormat } from './xlsx-dates.js';
import { parseXmlPart, type XmlVisitor } from './xlsx-xml.js';
import type { XlsxZip } from './xlsx-zip.js';

const MiB = 1 << 20;
/** Longest cell text accepted (Excel's own limit is 32,767 characters). */
export const MAX_CELL_CHARS = MiB;
/** Total characters of shared strings accepted: they are held in memory while the sheet is read. */
export const MAX_SHARED_STRING_CHARS = 256 * MiB;

export interface SheetInfo {
  name: string;
  /** Zip entry of the sheet's XML, or undefined for a chart sheet or a dangling reference. */
  part: string | undefined;
}

export interface Workbook {
  sheets: SheetInfo[];
  date1904: boolean;
  /** dateStyles[s] is true when cell style index s (`<c s="…">`) has a date format. */
  dateStyles: boolean[];
  sharedStrings: SharedStrings;
}

export interface SharedStrings {
  strings: string[];
  /** Indexes of strings longer than MAX_CELL_CHARS, not kept: a cell using one is an error. */
  overlong: Set<number>;
}

/** ST_Xstring escapes (`_x000D_` for a carriage return; `_x005F_` for `_` itself). */
export function unescapeXstring(text: string): string {
  if (!text.includes('_x')) return text;
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

const notAWorkbook = (file: string, why: string) =>
  inputError(`cannot read ${file} as an .xlsx workbook: ${why}`, { file, hint: 'open and save it again in a spreadsheet program, or export the sheet as CSV' });

/** Reads one part with a visitor; every text or tag longer than MAX_XML_RUN is refused. */
async function readPart(zip: XlsxZip, file: string, part: string, visitor: XmlVisitor): Promise<void> {
  await parseXmlPart({ file, part, stream: await zip.open(part), overlong: () => notAWorkbook(file, `${part} has a text or tag of more than 16 MiB`) }, visitor);
}

const ignoreText = () => undefined;
const ignoreClose = () => undefined;

interface Relationship {
  type: string;
  part: string;
}

/** A rels part: relationship id → its type and the zip entry it points to. */
async function readRels(zip: XlsxZip, file: string, relsPart: string, baseDir: string): Promise<Map<string, Relationship>> {
  const rels = new Map<string, Relationship>();
  if (!zip.has(relsPart)) return rels;
  await readPart(zip, file, relsPart, {
    open(name, a) {
      if (name !== 'Relationship' || a.Id === undefined || a.Target === undefined || a.TargetMode === 'External') return;
      const target = a.Target.startsWith('/') ? a.Target.slice(1) : posix.normalize(posix.join(baseDir, a.Target));
      rels.set(a.Id, { type: a.Type ?? '', part: target });
    },
    close: ignoreClose,
    text: ignoreText,
  });
  return rels;
}

const relsOf = (part: string) => posix.join(posix.dirname(part), '_rels', `${posix.basename(part)}.rels`);
const ofType = (rels: Map<string, Relationship>, type: string) => [...rels.values()].find((r) => r.type.endsWith(`/${type}`))?.part;

async function readStyles(zip: XlsxZip, file: string, part: string | undefined): Promise<boolean[]> {
  const dateStyles: boolean[] = [];
  if (part === undefined || !zip.has(part)) return dateStyles;
  const custom = new Map<number, string>();
  const formatIds: number[] = [];
  let inCellXfs = false;
  await readPart(zip, file, part, {
    open(name, a) {
      if (name === 'numFmt' && a.numFmtId !== undefined) custom.set(Number(a.numFmtId), a.formatCode ?? '');
      else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'xf' && inCellXfs) formatIds.push(Number(a.numFmtId ?? 0));
    },
    close(name) {
      if (name === 'cellXfs') inCellXfs = false;
    },
    text: ignoreText,
  });
  for (const id of formatIds) dateStyles.push(isDateFormat(id, custom.get(id)));
  return dateStyles;
}

async function readSharedStrings(zip: XlsxZip, file: string, part: string | undefined): Promise<SharedStrings> {
  const shared: SharedStrings = { strings: [], overlong: new Set() };
  if (part === undefined || !zip.has(part)) return shared;
  let total = 0;
  let inItem = false;
  let inText = false;
  // Phonetic runs (<rPh>, Japanese furigana) are reading aids, not part of the cell's text.
  let inPhonetic = false;
  let item = '';
  let itemTooLong = false;
  await readPart(zip, file, part, {
    open(name) {
      if (name === 'si') {
        inItem = true;
        item = '';
        itemTooLong = false;
      } else if (name === 't' && inItem && !inPhonetic) inText = true;
      else if (name === 'rPh') inPhonetic = true;
    },
    close(name) {
      if (name === 't') inText = false;
      else if (name === 'rPh') inPhonetic = false;
      else if (name === 'si') {
        inItem = false;
        if (itemTooLong) {
          shared.overlong.add(shared.strings.length);
          shared.strings.push('');
        } else shared.strings.push(unescapeXstring(item));
      }
    },
    text(text) {
      if (!inText) return;
      total += text.length;
      if (total > MAX_SHARED_STRING_CHARS) {
        throw inputError(`the shared strings of ${file} hold more than ${MAX_SHARED_STRING_CHARS} characters (256 Mi)`, {
          file,
          hint: 'the workbook holds more text than rfm reads from an .xlsx: export the sheet as CSV and read that',
        });
      }
      if (itemTooLong) return;
      if (item.length + text.length > MAX_CELL_CHARS) {
        itemTooLong = true;
        item = '';
      } else item += text;
    },
  });
  return shared;
}

export async function readWorkbook(zip: XlsxZip, file: string): Promise<Workbook> {
  const packageRels = await readRels(zip, file, '_rels/.rels', '');
  const workbookPart = ofType(packageRels, 'officeDocument') ?? 'xl/workbook.xml';
  if (!zip.has(workbookPart)) {
    throw notAWorkbook(file, zip.has('xl/workbook.bin') ? 'it is a binary .xlsb workbook' : `it is a zip file without ${workbookPart}`);
  }
  const rels = await readRels(zip, file, relsOf(workbookPart), posix.dirname(workbookPart));
  const sheets: SheetInfo[] = [];
  let date1904 = false;
  await readPart(zip, file, workbookPart, {
    open(name, a) {
      if (name === 'workbookPr') date1904 = a.date1904 === '1' || a.date1904 === 'true';
      else if (name === 'sheet') {
        // r:id (the prefix varies: strict OOXML binds another namespace to it).
        const idKey = Object.keys(a).find((k) => k.endsWith(':id'));
        const rel = idKey === undefined ? undefined : rels.get(a[idKey]);
        const isWorksheet = rel !== undefined && rel.type.endsWith('/worksheet');
        sheets.push({ name: a.name ?? '', part: isWorksheet ? rel.part : undefined });
      }
    },
    close: ignoreClose,
    text: ignoreText,
  });
  const dateStyles = await readStyles(zip, file, ofType(rels, 'styles') ?? 'xl/styles.xml');
  const sharedStrings = await readSharedStrings(zip, file, ofType(rels, 'sharedStrings') ?? 'xl/sharedStrings.xml');
  return { sheets, date1904, dateStyles, sharedStrings };
}
