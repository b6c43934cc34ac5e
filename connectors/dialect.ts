/**
 * What one dialect is, as plain data and pure functions: names, URL schemes, capabilities, identifier rules.
 * Each connectors/<dialect>/dialect.ts exports one such object; connectors/dialects.ts lists them. Nothing here
 * imports a driver or a Node built-in, so workflow code (bundled for Temporal's sandbox) may use it.
 */
import type { CanonicalType, ColumnInfo } from '../lib/types';
import type { TargetTypeChoice, TargetTypeContext } from '../lib/typemap/common';

/** What a dialect's databases can hold or do; Sensei branches on these, never on a dialect's name. */
export interface DialectCapabilities {
  /** Sensei can connect, read, write and validate (false: known name, "not supported yet"). */
  supported: boolean;
  /** Namespaces inside one database (PostgreSQL schemas); false where the database is the namespace or there is one. */
  schemas: boolean;
  /** Native enum types. */
  enums: boolean;
  /** Native array types. */
  arrays: boolean;
  /** CREATE/ALTER/DROP inside a transaction roll back with it. */
  transactionalDdl: boolean;
  /** Digests ranges of rows inside the database (semantic validation tier) instead of reading them out. */
  inDatabaseDigest: boolean;
  /** The connection string names a local file (the CLI resolves relative paths, the API checks the file's place). */
  fileBased: boolean;
  /**
   * Booleans are a type of their own, compared with TRUE/FALSE and never with numbers (a CHECK `flag IN (0,1)` fails);
   * false where booleans are numbers 1/0 (MariaDB's TINYINT(1), SQLite) or SQL has none (Oracle before 23ai).
   */
  strictBooleans: boolean;
  /**
   * Any column may hold a value of any kind (SQLite: text in an INTEGER column, an epoch number in a DATETIME): rows
   * read for another dialect are checked for the form of each column's type, and a row holding a value of another
   * form is rejected by key (lib/value-forms.ts), never left to the target to refuse or to round. Absent: false.
   */
  looseValues?: boolean;
  /** Tables and columns keep comments: a plan from another dialect gives them the source's. Absent: false. */
  comments?: boolean;
  /**
   * A table migrated natively is made from the lists of its objects (keys, uniques, CHECKs, indexes, foreign keys,
   * defaults), not from its own DDL text, so an object left out at the gate is not made. `'indexes'`: only its
   * indexes are made apart from it (SQLite's table is its CREATE TABLE as the source keeps it, each CREATE INDEX a
   * statement of its own), so only they may be left out. Absent: false.
   */
  nativeObjectsLeftOut?: boolean | 'indexes';
  /** Indexes may cover only the rows a WHERE clause names (partial indexes). Absent: false. */
  partialIndexes?: boolean;
  /** Indexes may key on expressions (`lower(email)`), not only on columns. Absent: false. */
  expressionIndexes?: boolean;
  /**
   * lower() and upper() change ASCII letters only (SQLite without ICU), where other dialects map every letter: a
   * UNIQUE index on lower(x) made elsewhere could find values the source kept apart equal. Absent: false.
   */
  asciiCaseMapping?: boolean;
}

/** Identifier and literal rules. Every identifier Sensei sends is quoted, so reserved words, case and spaces survive. */
export interface IdentifierRules {
  /** One identifier, quoted and escaped. */
  quote(name: string): string;
  /** A string literal for DDL (defaults, CHECK lists), never for row values (those are bound parameters). */
  literal(value: string): string;
  /** How the database folds unquoted names. */
  caseFolding: 'lower' | 'upper' | 'none';
  /**
   * The form under which two table (column) names are one here, even quoted: SQLite's names ignore ASCII case,
   * MariaDB's column names all case. Absent: names are one only when equal.
   */
  sameName?: { tables?: (name: string) => string; columns?: (name: string) => string };
  /** Longest name the database keeps, in bytes of UTF-8 (absent: no limit in bytes). */
  maxNameBytes?: number;
  /** Longest name the database keeps, in characters (absent: no limit in characters). */
  maxNameChars?: number;
  /**
   * The name the connector gives a column's own CHECK (CanonicalType.check) where such names share the schema's
   * namespace of CHECKs (Oracle: `<table>_<column>_CK`): the plan then keeps them unique beside the table CHECKs.
   * Absent: the database names them itself.
   */
  columnCheckName?: (table: string, column: string) => string;
  /**
   * Where a foreign key's name must be unique beyond its table: `schema` among the schema's foreign keys (MySQL and
   * MariaDB), `constraints` among all of the schema's constraints, CHECKs too (Oracle). Absent: per table (PostgreSQL,
   * SQLite), where the plan keeps the source's names.
   */
  foreignKeyNames?: 'schema' | 'constraints';
  /**
   * Where a table's CHECKs share their table's namespace with constraints the database names itself, or with its
   * foreign keys: `columnCheck`, the name it gives a column's own unnamed CHECK (MariaDB: the column's; PostgreSQL:
   * `<table>_<column>_check`), which a CHECK named so later in the CREATE TABLE collides with; `checkedTypes`, target
   * types that bring such a CHECK (MariaDB's JSON: json_valid); `foreignKeys`, whether a CHECK may not be named as a
   * foreign key of its table (PostgreSQL: one namespace per table; MariaDB refuses it too). The plan gives a table's
   * CHECKs names none of these has. Absent: they meet none of them (Oracle: see columnCheckName).
   */
  tableConstraints?: {
    columnCheck: (table: string, column: string) => string;
    checkedTypes?: readonly string[];
    foreignKeys: boolean;
    /**
     * The names the database gives a table's unnamed PRIMARY KEY and UNIQUE constraints in its table's namespace of
     * constraints (PostgreSQL: `<table>_pkey`, `<table>_<columns>_key`): a CHECK or a foreign key named so fails to be
     * created (or takes the key's name from it), so the plan names those apart. Absent: keys meet no such name.
     */
    keyNames?: { primaryKey: (table: string) => string; unique: (table: string, columns: readonly string[]) => string };
  };
  /**
   * Who holds a name among the database's own types where a type the plan creates is looked up (PostgreSQL:
   * pg_catalog, which the search path reads first), or undefined: a created type must not be named so.
   */
  builtinType?: (name: string) => string | undefined;
}

/** What years (ISO 8601: 0 is 1 BC, -43 is 44 BC) a dialect's dates and timestamps hold, and whether ±infinity. */
export interface TemporalRange {
  date: { min: number; max: number };
  timestamp: { min: number; max: number };
  /** 'infinity' and '-infinity' are values (PostgreSQL). */
  infinity: boolean;
}

/** A dialect's type map both ways (connectors/<dialect>/types.ts); its connector reads catalogs with its own toCanonical. */
export interface TypeMap {
  /** A column as the dialect's catalog describes it (a shape of its own: PostgresNativeType, …) read into the canonical model. */
  toCanonical(info: never): CanonicalType;
  /** The native type the dialect declares for a canonical type, and how faithful that is. */
  fromCanonical(type: CanonicalType, context?: TargetTypeContext): TargetTypeChoice;
  /** A type name as a person types it (`varchar(40)`, `timestamptz(3)`, `int unsigned`) read into the canonical model. */
  parseTypeName(text: string): CanonicalType;
  /**
   * The type a column of this dialect keeps in a database of the same dialect (its own native type), where the
   * dialect migrates to itself without passing through the canonical model: the table plan is then `native`.
   */
  sameDialect?(column: ColumnInfo): TargetTypeChoice;
  /**
   * Extensions whose types fromCanonical chooses when the target database has them (context.extensions), each with
   * the type names it gives columns (PostgreSQL: postgis → geometry): the mapping asks the target for just these.
   */
  extensionTypes?: Readonly<Record<string, readonly string[]>>;
  /**
   * The dates and timestamps this dialect's own date and timestamp types hold (those fromCanonical declares), as years
   * of ISO 8601 (0 is 1 BC): a value another dialect holds outside it is said at the gate and its row rejected by key,
   * never changed. Absent: any (SQLite keeps them as text) or not known.
   */
  temporalRange?: TemporalRange;
  /**
   * Which of NaN and ±Infinity this dialect's float types hold: a value another dialect holds that they cannot is said
   * at the gate and its row rejected by key, never changed (SQLite would store NaN as NULL). Absent: both.
   */
  nonFinite?: { nan: boolean; infinity: boolean };
  /**
   * Where this dialect's text cannot hold the NUL character (U+0000), as PostgreSQL's: a row holding one is rejected by
   * key with the reason, never changed; `jsonTypes`: the JSON types that refuse its \u0000 escape too. Absent: it can.
   */
  nulRefused?: { jsonTypes: readonly string[] };
  /**
   * The latest time of day this dialect's time type holds ('24:00:00' in PostgreSQL), where it holds no duration as
   * MySQL's TIME does (−838:59:59 to 838:59:59): a row of another dialect holding a negative one or one past it is
   * rejected by key with the reason, never changed. Absent: its time holds durations, or it has no time type.
   */
  timeOfDayMax?: string;
  /**
   * The largest integer this dialect's integer types hold, where it has none for an unsigned 64-bit one (SQLite:
   * signed 64-bit only): a row of another dialect holding a larger one (a MariaDB BIGINT UNSIGNED) is rejected by key
   * with the reason, never changed. Absent: its integer types hold what fromCanonical gives them.
   */
  integerMax?: string;
  /** Why a column of this declared type cannot be in an index here (MariaDB: JSON, unbounded TEXT/BLOB), or null. */
  indexRefusal?(sql: string): string | null;
  /**
   * The bytes one index key may take here (InnoDB: 3072) and the most a column of a declared type takes in one (null:
   * not known, or no plain index holds it whole: see indexRefusal). A longer index was refused by the target after the
   * copy; the plan leaves it out, or blocks on a primary or unique key, at the gate instead. Absent: no such limit.
   */
  indexKey?: {
    maxBytes: number;
    bytesOf(targetType: string): number | null;
    /** What this target does with a UNIQUE key past maxBytes, where it makes one (said in the plan); absent: it refuses it. */
    longUnique?: string;
  };
  /** Why no CHECK constraint is created here (Snowflake enforces none), where that is so; the plan then says so for each. */
  checkRefusal?: string;
  /**
   * What a row's declared columns may take here, each limit with what a column of a declared type takes of it
   * (MariaDB/MySQL: 65,535 bytes, a VARCHAR(n) counted at its most; InnoDB's in-page part of a row, 8,126 bytes, where a
   * TEXT or long VARCHAR counts its pointer), and the type that keeps a column's values out of the row (VARCHAR(n) →
   * TEXT): a table of another dialect past a limit has its widest unindexed columns planned so, said in the notes (the
   * target refused the table before). Absent: no such limit.
   */
  rowBytes?: {
    limits: { maxBytes: number; bytesOf(targetType: string): number; what: string }[];
    outOfRow(targetType: string): string | null;
  };
}

/** One column of a digested table as one side stores it: the SOURCE canonical type (the meaning) and this side's native type. */
export interface DigestColumn {
  name: string;
  type: CanonicalType;
  native: string;
}

/** The pieces of one range-digest statement (lib/validation/digest.ts builds them; identifiers already quoted). */
export interface RangeQuery {
  /** The leading key column. */
  key: string;
  /** One row's normal form. */
  row: string;
  /** ORDER BY of the key in binary order. */
  order: string;
  /** The qualified table. */
  table: string;
  /** The range's condition. */
  where: string;
  /** The key columns (quoted), for dialects that compute the row in a derived table and order it outside. */
  keys: string[];
  /** An upper bound of one row's normal form in bytes, for dialects that define DigestSql.rowBytes. */
  rowBytes?: string;
}

/**
 * The semantic tier's in-database digest in this dialect: the pieces of the cross-dialect row normal form
 * (lib/validation/digest.ts documents the form) and the statements that hash ranges of rows.
 */
export interface DigestSql {
  /** The normal form of one value as SQL text (NULL stays NULL). */
  value(column: DigestColumn, quoted: string): string;
  /**
   * One field of the row: the value, or `~` where the column is NULL (absent: COALESCE(value, '~')). A dialect where an
   * empty text is NULL (Oracle) tests the column instead, so an empty value still joins as nothing, as elsewhere.
   */
  field?(value: string, quoted: string): string;
  /**
   * Why this side cannot spell a column's normal form (its native type holds the canonical kind in a way the dialect's
   * SQL does not render), or null. The table is then hashed in the worker (lib/validation/digest.ts inDatabaseRefusal).
   */
  refusal?(column: DigestColumn): string | null;
  /** The fields of one row joined by `|`. */
  row(fields: string[]): string;
  /** md5 of a row's normal form as 32 lower-case hex digits (for pairs that hash rows: see rowHashes). */
  rowHash(row: string): string;
  /**
   * This dialect aggregates only short texts (Oracle's LISTAGG: 4,000 bytes): a pair with it digests each row's md5
   * (rowHash) in place of its normal form, 33 bytes a row whatever its width, on both sides alike.
   */
  rowHashes?: boolean;
  /** A text key part in binary (code-point) order. */
  binaryOrder(quoted: string): string;
  /** An integer expression as text. */
  integerText(expr: string): string;
  /**
   * An upper bound of one row's normal form in bytes (SQL), where a normal form longer than the server can build comes
   * out NULL instead of failing (MariaDB: max_allowed_packet): rangeDigest then says such a range was cut. Undefined
   * when no column of the row can be that long.
   */
  rowBytes?(columns: { quoted: string; native: string; type?: CanonicalType }[]): string | undefined;
  /**
   * One row per non-empty sub-range of width `width` from `from`: index, row count, md5 (and, as a fourth column where
   * the aggregate can be cut short, 1 when it was).
   */
  rangeDigests(q: RangeQuery, from: string, width: string): string;
  /** Row count and md5 of one range (and, where the aggregate can be cut short, whether it was). */
  rangeDigest(q: RangeQuery): string;
  /**
   * A column as the rows of a differing range are read to be compared in the worker (absent: the column itself), where
   * the driver would not hand over the value the copy reads (Oracle: dates through SYYYY masks, intervals as text).
   */
  readColumn?(column: DigestColumn, quoted: string): string;
  /** A value readColumn read, as the copy would have read it (Oracle: ISO 8601 years); absent: as read. */
  fromRead?(value: unknown, column: DigestColumn): unknown;
  /** Session settings the digest SQL relies on. */
  session: readonly string[];
  /** A window is digested as one rangeDigest per sub-range (faster where a grouped query needs a temporary table). */
  windowBySubRange: boolean;
  /** A query whose one row tells whether the server's text bytes can be digested at all, and the reason if not. */
  encodingCheck?: { sql: string; refusal(row: Record<string, unknown>): string | null };
  /**
   * Why the digest is turned off for this dialect by the operator's settings, asked before any session is opened (no
   * login to a database whose digest would not be used); absent or null: on.
   */
  off?(env?: Record<string, string | undefined>): string | null;
}

/** The SQL the validation tiers run inside this dialect's databases (lib/validation/sql.ts assembles it). */
export interface ValidationSql {
  /**
   * Text of a temporal aggregate, so drivers hand over what the database prints (no Date objects). `type` is the
   * column's canonical type, where the dialect needs it to choose a format (Oracle's masks).
   */
  text(expr: string, type?: CanonicalType): string;
  /**
   * A column as the generated suite's queries select it, where the driver would not hand over its exact value (Oracle
   * Thin: DATE and TIMESTAMP as JavaScript Dates, to the millisecond); absent: the column itself.
   */
  column?(col: string, type: CanonicalType): string;
  /**
   * A column as the statistics aggregate it (COUNT, MIN, MAX, COUNT DISTINCT), where some of its values are ones no
   * other dialect holds (MariaDB/MySQL zero dates: NULL, as the copy reads them); absent: the column itself.
   */
  aggregated?(col: string, type: CanonicalType | undefined): string;
  /**
   * A value `text` or `column` printed, in the canonical text's terms (Oracle: its signed years as ISO 8601 years);
   * absent: as printed.
   */
  fromPrinted?(value: string, type: CanonicalType): string;
  /**
   * A table reference that reads only the table's own rows, where tables inherit rows (PostgreSQL: ONLY); absent: the
   * reference itself.
   */
  ownRows?(ref: string): string;
  /**
   * A column whose SUM, MIN and MAX this database cannot compute exactly (SQLite: a decimal wider than a REAL's 15
   * digits, kept as exact text, sums as REAL and orders as text): the statistics and the generated suite compare it by
   * count only (the semantic tier compares every value). Absent: none.
   */
  inexactAggregates?(type: CanonicalType): boolean;
  /** Length of a text in characters. */
  charLength(expr: string): string;
  /** MIN/MAX/SUM of a float, widened where the database would lose digits. */
  floatAggregate(fn: 'MIN' | 'MAX' | 'SUM', col: string): string;
  /**
   * MIN/MAX of a temporal column in time order, as text, where the database orders some of its values otherwise
   * (SQLite: ISO 8601 text of years before 1 or after 9999, and 'infinity'/'-infinity'); absent: `text(MIN(col))`.
   */
  temporalExtreme?(col: string, fn: 'MIN' | 'MAX'): string;
  /** Where decimals may be stored as text: MIN/MAX by value, in their exact spelling. */
  decimalExtreme?(table: string, col: string, fn: 'MIN' | 'MAX'): string;
  /** The clause that ends a query to keep its first n rows (absent: `LIMIT n`; Oracle spells it FETCH FIRST). */
  firstRows?(n: number): string;
  /** A condition true where a boolean column is true (absent: the column itself; where booleans are stored as numbers, `<> 0`). */
  isTrue?(col: string): string;
  /**
   * What a key column is ordered by in the behavioral tier's top-N query, so both sides list the same rows (absent: the
   * column itself). SQLite: a text column may hold integers (a column with no declared type), which order before all
   * text; ordered as their text they come as in the other database, which holds them as text.
   */
  keyOrder?(col: string, type: CanonicalType): string;
  /** Present where the capability inDatabaseDigest is. */
  digest?: DigestSql;
}

/** How the server reads literals of a session (lib/validation/read-only-sql.ts); absent settings are the server's defaults. */
export interface LexOptions {
  /** PostgreSQL standard_conforming_strings (default true): a backslash is plain inside '…'. */
  standardStrings?: boolean;
  /** MySQL: backslash escapes inside literals (default true; false under sql_mode NO_BACKSLASH_ESCAPES). */
  backslashEscapes?: boolean;
  /** MySQL sql_mode ANSI_QUOTES (default false): "…" is an identifier, not a string. */
  ansiQuotes?: boolean;
}

/**
 * How the dialect's own lexer reads a query, and what a user's validation query may not use in it
 * (lib/validation/read-only-sql.ts, the lexical layer of the guard around users' queries).
 */
export interface QueryLexicon {
  /** Words refused anywhere, upper case, with the reason. */
  forbiddenWords: Readonly<Record<string, string>>;
  /** Functions refused when called (lower case names). */
  forbiddenFunctions: RegExp;
  /** "--" starts a comment only when a space or control character follows (MySQL: 1--1 is 1 - -1). */
  dashDashNeedsSpace: boolean;
  /** "#" starts a comment to the end of the line. */
  hashComments: boolean;
  /** Whether a backslash escapes inside '…' (escapeString: the literal has PostgreSQL's E prefix). */
  backslashEscapes(options: LexOptions, escapeString: boolean): boolean;
  /** E'…' strings exist (their backslashes escape). */
  escapeStrings: boolean;
  /** "…" quotes an identifier (else a string literal). */
  doubleQuotedIdentifier(options: LexOptions): boolean;
  /** U&"…" identifiers exist (refused: their escapes are not read here). */
  unicodeIdentifiers: boolean;
  /** `…` quotes an identifier. */
  backtickIdentifiers: boolean;
  /** […] quotes an identifier. */
  bracketIdentifiers: boolean;
  /** $tag$…$tag$ literals. */
  dollarQuotes: boolean;
  /** /* … *\/ comments nest. */
  nestedComments: boolean;
  /** /*! … *\/ runs its content and /*+ … *\/ holds optimizer hints (both refused). */
  executableComments: boolean;
  /** "//" starts a comment to the end of the line (Snowflake). */
  slashSlashComments?: boolean;
  /** q'[…]' and nq'[…]' literals exist (Oracle; refused: their delimiters are not read here). */
  alternativeQuotes?: boolean;
  /** A name in double quotes that spells a forbidden word in upper case is the same name (Oracle and Snowflake fold to upper case). */
  quotedNamesFold?: boolean;
  /** What may begin a query (absent: SELECT, WITH, VALUES, TABLE). */
  queryStarts?: readonly string[];
}

export interface DialectDefinition<Name extends string = string> {
  /** `type` in the API, the CLI and stored connections. */
  name: Name;
  /** For people: "PostgreSQL", "MariaDB/MySQL". */
  label: string;
  /** URL schemes (without `:`) that name this dialect, for the CLI's detection. */
  urlSchemes: readonly string[];
  /** File name endings (without the dot) that name this dialect, for file-based dialects. */
  fileExtensions: readonly string[];
  /** npm package of the driver (absent until the dialect is supported). */
  driver?: string;
  capabilities: DialectCapabilities;
  identifiers: IdentifierRules;
  /** Absent until the dialect is supported. */
  types?: TypeMap;
  /** Absent until the dialect is supported. */
  validation?: ValidationSql;
  /** Absent where users' validation queries are not supported. */
  queryLexicon?: QueryLexicon;
  /** Whether a driver error blames the data of the rows written (the copy then isolates and names the rows). */
  isRowRejection?(cause: unknown): boolean;
}

/** Rejects names no server keeps whole. */
/**
 * A DigestSql `off`: the digest is off unless `variable` is on/true/1/yes in the environment, with `refusal` as the
 * reason (the dialects whose digest no live server has checked yet).
 */
export function digestSwitch(variable: string, refusal: string): (env?: Record<string, string | undefined>) => string | null {
  return (env = typeof process === 'undefined' ? {} : process.env) => (/^(on|true|1|yes)$/i.test(env[variable] ?? '') ? null : refusal);
}

export function checkIdentifier(name: string): void {
  if (name.length === 0) throw new Error('an empty identifier cannot be quoted');
  // NUL ends a C string in every server: a name holding one would silently be cut.
  if (name.includes('\u0000')) throw new Error('an identifier cannot contain the NUL character');
}

/** ANSI quoting: "a""b". */
export function doubleQuoted(name: string): string {
  checkIdentifier(name);
  return '"' + name.replace(/"/g, '""') + '"';
}

/** ANSI literal: 'it''s'. */
export function ansiLiteral(value: string): string {
  if (value.includes('\u0000')) throw new Error('a SQL literal cannot contain the NUL character');
  return `'${value.replace(/'/g, "''")}'`;
}

/** The capabilities of a dialect Sensei knows by name only. */
export const NOT_SUPPORTED: DialectCapabilities = {
  supported: false,
  schemas: false,
  enums: false,
  arrays: false,
  transactionalDdl: false,
  inDatabaseDigest: false,
  fileBased: false,
  strictBooleans: false,
};
