/**
 * Streams one XML part of a workbook through saxes, handing element names without their namespace
 * prefix (some writers spell every tag `x:c`), so the readers of xlsx-parts.ts and xlsx-sheet.ts
 * see `c`, `row`, `si`… whatever the writer's prefixes.
 */
import type { Readable } from 'node:stream';
import { SaxesParser } from 'saxes';
import { RfmError, inputError } from '../core/errors.js';
import { entryError } from './xlsx-zip.js';

export interface XmlVisitor {
  open(name: string, attributes: Record<string, string>): void;
  close(name: string): void;
  /** Character data (text or CDATA) between tags. */
  text(text: string): void;
}

/**
 * Characters accepted between two XML events (one text run or one tag). saxes holds a run in memory
 * until it ends, so without this a part with no tags in sight would be read whole into one string.
 * Far above the 1 MiB cell limit even for text written entirely as entities (`&amp;` is 5 for 1).
 */
export const MAX_XML_RUN = 16 << 20;

const localName = (name: string) => {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
};

export interface XmlPart {
  file: string;
  /** The entry name, for messages. */
  part: string;
  stream: Readable;
  /** The error for a run longer than MAX_XML_RUN (readers that know the cell say which). */
  overlong: () => RfmError;
}

/**
 * Feeds the part to the visitor. `afterChunk` runs after each decoded chunk, and reading waits for
 * the promise it returns (a batch of rows handed on, with backpressure).
 */
export async function parseXmlPart(xml: XmlPart, visitor: XmlVisitor, afterChunk?: () => void | Promise<void>): Promise<void> {
  const parser = new SaxesParser({ position: false });
  let lastEvent = 0;
  parser.on('opentag', (tag) => {
    lastEvent = parser.position;
    visitor.open(localName(tag.name), tag.attributes as Record<string, string>);
  });
  parser.on('closetag', (tag) => {
    lastEvent = parser.position;
    visitor.close(localName(tag.name));
  });
  parser.on('text', (text) => {
    lastEvent = parser.position;
    visitor.text(text);
  });
  parser.on('cdata', (text) => {
    lastEvent = parser.position;
    visitor.text(text);
  });
  parser.on('error', (error) => {
    throw inputError(`cannot read ${xml.file} as an .xlsx workbook: ${xml.part} is not well-formed XML (${error.message})`, {
      file: xml.file,
      hint: 'open and save it again in a spreadsheet program, or export the sheet as CSV',
    });
  });
  let decoder: InstanceType<typeof TextDecoder> | undefined;
  try {
    for await (const chunk of xml.stream as AsyncIterable<Buffer>) {
      if (decoder === undefined) {
        const utf16 = chunk[0] === 0xff && chunk[1] === 0xfe ? 'utf-16le' : chunk[0] === 0xfe && chunk[1] === 0xff ? 'utf-16be' : undefined;
        decoder = new TextDecoder(utf16 ?? 'utf-8', { fatal: true });
      }
      parser.write(decoder.decode(chunk, { stream: true }));
      if (parser.position - lastEvent > MAX_XML_RUN) throw xml.overlong();
      if (afterChunk !== undefined) await afterChunk();
    }
    if (decoder !== undefined) parser.write(decoder.decode());
    parser.close();
  } catch (error) {
    xml.stream.destroy();
    if (error instanceof TypeError && (error as { code?: string }).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') {
      throw inputError(`cannot read ${xml.file} as an .xlsx workbook: ${xml.part} is not UTF-8 text`, {
        file: xml.file,
        hint: 'open and save it again in a spreadsheet program, or export the sheet as CSV',
      });
    }
    throw entryError(error, xml.file, xml.part);
  }
}
