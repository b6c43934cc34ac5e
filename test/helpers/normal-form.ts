/**
 * The semantic tier's row normal form of one canonical value, in JavaScript: what PostgreSQL's and MariaDB's digest SQL
 * print for it (lib/validation/digest.ts documents the form; test/integration/semantic-normal-form.test.ts checks it
 * against the live servers). The models of Oracle's and Snowflake's digest SQL are held to it.
 */
import type { CanonicalType } from '../../lib/types';
import { canonicalDecimalText } from '../../lib/values';

/** A date of a year BC ('0044-03-15', 44 BC) in ISO 8601 years ('-0043-03-15'; 1 BC is 0000). */
function isoBc(day: string): string {
  const year = Number(day.slice(0, 4)) - 1;
  return `${year === 0 ? '' : '-'}${String(year).padStart(4, '0')}${day.slice(4)}`;
}

/**
 * The normal form of a canonical value as PostgreSQL and MariaDB print it (lib/validation/digest.ts). Years BC are
 * PostgreSQL's, in ISO 8601 (44 BC is -0043, 1 BC is 0000); `bc` marks them (MariaDB holds no year BC), their
 * canonical text giving the year BC as a positive one.
 */
export function normalForm(value: string | Buffer | null, type: CanonicalType, bc = false): string {
  if (value === null) return '~';
  const text = (s: string) => `${Buffer.byteLength(s, 'utf8')}:${s}`;
  switch (type.kind) {
    case 'int16':
    case 'int32':
    case 'int64':
      return String(BigInt(String(value)));
    case 'decimal':
      return canonicalDecimalText(String(value));
    case 'boolean':
      return value === 'true' ? '1' : '0';
    case 'char':
      return text(String(value).replace(/ +$/, ''));
    case 'uuid':
      return String(value).toLowerCase();
    case 'binary':
      return (value as Buffer).toString('hex');
    case 'date':
      return bc ? isoBc(String(value)) : String(value);
    case 'time': {
      const [hms, frac = ''] = String(value).split('.');
      return `${hms}.${frac.padEnd(6, '0')}`;
    }
    case 'timestamp':
    case 'timestamptz': {
      const [day, time] = String(value).replace(/Z$/, '').split(' ');
      const [hms, frac = ''] = time.split('.');
      return `${bc ? isoBc(day) : day} ${hms}.${frac.padEnd(6, '0')}`;
    }
    default:
      return text(String(value));
  }
}
