/**
 * Rows as tab-separated text for the servers' bulk loaders (PostgreSQL COPY … FROM STDIN, MySQL LOAD DATA LOCAL
 * INFILE): both read fields split by tab, lines by newline, backslash escapes, and NULL as \N.
 * Text is produced in slices of a few hundred KiB so a large chunk never sits in memory twice.
 */
import { Readable, Transform } from 'node:stream';
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

const BACKSLASH = 0x5c;
/** PostgreSQL COPY escapes MySQL's LOAD DATA reads otherwise (it takes \\f as "f" and \\v as "v"). */
const COPY_ONLY_ESCAPES: Record<number, number> = { 0x66: 0x0c, 0x76: 0x0b };

/**
 * PostgreSQL COPY text as MySQL LOAD DATA text. Both share \\N, \\\\, \\t, \\n, \\r and \\b; COPY also writes form feed and
 * vertical tab as \\f and \\v, which LOAD DATA would read as plain letters, so those two become the raw bytes again.
 * Bytes without a backslash pass untouched (the usual case: one native indexOf per piece).
 */
export function copyTextToLoadData(): Transform {
  let carry: Buffer | null = null;
  return new Transform({
    transform(piece: Buffer, _encoding, done) {
      let buf = carry ? Buffer.concat([carry, piece]) : piece;
      carry = null;
      let at = buf.indexOf(BACKSLASH);
      if (at === -1) return done(null, buf);
      let from = 0;
      const parts: Buffer[] = [];
      while (at !== -1) {
        if (at === buf.length - 1) {
          // An escape split across pieces: keep its backslash for the next one.
          carry = buf.subarray(at);
          buf = buf.subarray(0, at);
          break;
        }
        const next = buf[at + 1];
        const raw = COPY_ONLY_ESCAPES[next];
        if (raw !== undefined) {
          parts.push(buf.subarray(from, at), Buffer.of(raw));
          from = at + 2;
        }
        at = buf.indexOf(BACKSLASH, at + 2);
      }
      parts.push(buf.subarray(from));
      done(null, parts.length === 1 ? parts[0] : Buffer.concat(parts));
    },
    flush(done) {
      done(null, carry ?? undefined);
    },
  });
}
