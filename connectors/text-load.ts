/**
 * Rows as tab-separated text for the servers' bulk loaders (PostgreSQL COPY … FROM STDIN, MySQL LOAD DATA LOCAL
 * INFILE): both read fields split by tab, lines by newline, backslash escapes, and NULL as \N.
 * Text is produced in slices of a few hundred KiB so a large chunk never sits in memory twice.
 */
import { Readable } from 'node:stream';
import type { Row } from '../lib/types';
import { ConnectorError } from './types';

/** Bytes of text gathered before a slice is handed to the socket. */
const SLICE_CHARS = 256 * 1024;

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A field's text with the loader's escapes applied. */
export function escapeField(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]) : text;
}

/** One field as loader text: `format` turns a non-null value into its unescaped text, or returns it escaped already. */
export type FieldFormatter = (value: unknown) => string;

function* slices(rows: Iterable<Row>, formatters: FieldFormatter[], width: number): Generator<Buffer> {
  let text = '';
  for (const row of rows) {
    if (row.length !== width) throw new ConnectorError('WriteFailed', `row has ${row.length} values but the table is written with ${width} columns`);
    let line = '';
    for (let i = 0; i < width; i++) {
      const v = row[i];
      if (i > 0) line += '\t';
      line += v === null || v === undefined ? '\\N' : formatters[i](v);
    }
    text += line + '\n';
    if (text.length >= SLICE_CHARS) {
      yield Buffer.from(text, 'utf8');
      text = '';
    }
  }
  if (text) yield Buffer.from(text, 'utf8');
}

/** A byte stream of the rows (pull-driven: the loader's backpressure paces the encoding). */
export function rowsAsText(rows: Iterable<Row>, formatters: FieldFormatter[]): Readable {
  return Readable.from(slices(rows, formatters, formatters.length), { objectMode: false });
}

/** The same over batches that arrive asynchronously (whole_table copies). */
export function batchesAsText(batches: AsyncIterable<Row[]>, formatters: FieldFormatter[], onBatch?: (rows: number) => void): Readable {
  async function* all(): AsyncGenerator<Buffer> {
    for await (const batch of batches) {
      yield* slices(batch, formatters, formatters.length);
      onBatch?.(batch.length);
    }
  }
  return Readable.from(all(), { objectMode: false });
}
