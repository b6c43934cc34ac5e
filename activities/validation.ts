/**
 * The five validation tiers and the certificate, as activities. Each tier reads both databases itself and
 * returns a TierResult: counts, hashes and a bounded sample of findings, never whole tables.
 *
 * Where the work happens:
 * - structural: the target's catalog (connector introspection) against the plan.
 * - statistical: one aggregate query per table inside each database (counts, NULLs, MIN/MAX, SUM, distinct).
 * - referential: inside the target (duplicate keys, orphaned foreign keys by anti-join).
 * - semantic: tables of dialects with an in-database digest (PostgreSQL, MariaDB/MySQL; Oracle, never run live) with
 *   an integer leading key and types that have a SQL normal form are digested range by range inside both
 *   databases (lib/validation/digest.ts) and bisected
 *   down to ranges of a few hundred rows (lib/validation/ranges.ts); only those are read here and compared
 *   row by row to name keys. Other tables (SQLite, Snowflake, floats, JSON, text keys, no key) are read in key order
 *   from both sides in keyset chunks (the connectors' readChunk) and hashed here, per chunk, from canonical
 *   values under the SOURCE column types, except a column a mapping edit at the gate changed to another kind of
 *   type whose values the copy converts (lib/edited-kinds.ts): its table is read here, and that column compared
 *   under the edited type, each source value converted as the copy converts it. The tier's summary says which
 *   table went which way.
 * - behavioral: the generated query suite plus the user's queries, run on both sides.
 */
import { createHash } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { dialectNamed, isDialect } from '../connectors/dialects';
import { loadDialectRuntime } from '../connectors/registry';
import type { Connector, Endpoint, ReadOptions, SessionOptions, SqlSession } from '../connectors/types';
import {
  CERTIFICATE_FORMAT,
  canonicalJson,
  certificateText,
  loadOrCreateSigningKey,
  newCertificateId,
  sha256Hex,
  signCertificate,
  summarizeCertificate,
  type CertificateSummary,
  type Certificate,
  type CertificateTable,
  type CertificateTier,
} from '../lib/certificate';
import { loadConfig } from '../lib/config';
import type { MetadataStore } from '../lib/store';
import type { BehavioralQueryResult, EndpointRef, TableContentHash, TierResult, ValidationFinding, ValidationQuery, ValidationTier } from '../lib/migration';
import { VALIDATION_TIERS } from '../lib/migration';
import type { CanonicalType, ColumnMapping, Dialect, ForeignKeyInfo, Key, MigrationPlan, Row, TablePlan } from '../lib/types';
import { keyPart } from '../lib/keys';
import {
  compareKeyTexts,
  compareResults,
  compareStatistics,
  compareStructure,
  finishTier,
  keyObject,
  keyTexts,
  resultRowTexts,
} from '../lib/validation/compare';
import {
  duplicateKeysSql,
  generatedSuite,
  hasOrderBy,
  orphanCountSql,
  type ForeignKeyRef,
  orphanSampleSql,
  readResultRows,
  readStatistics,
  statKind,
  statisticsSql,
  validationSql,
  type Place,
  type SuiteQuery,
  type SuiteTable,
} from '../lib/validation/sql';
import { boundsSql, digestSessionSql, digestTables, inDatabaseRefusal, pairHashesRows, rangeDigestSql, rangeDigestsSql, rangeRowsRead, rangeRowsSql, type DigestTable } from '../lib/validation/digest';
import { DEFAULT_RANGE_OPTIONS, compareRanges, methodNote, type DigestSide, type RangeDigest, type RangeOptions, type RangeState, type TableMethod } from '../lib/validation/ranges';
import { canonicalValueText } from '../lib/values';
import { crossType } from '../lib/typemap/common';
import { keptAsText } from '../lib/temporal-range';
import { UNCONVERTIBLE, convertEditedValue, editedConversions, editedType, isEditedByHand, type EditedConversion } from '../lib/edited-kinds';
import type { ConnectorPool } from './connections';
import { planKeeper, type PlanCarrier, type PlanKeeper } from './plans';
import { runUserQuery, userQueryLimits, type UserQueryLimits } from './user-queries';

/** What a tier activity is sent: its plan whole, or by reference (activities/plans.ts). */
export type TierRequest = Omit<TierInput, 'plan'> & PlanCarrier;

export interface TierInput {
  migrationId: string;
  source: EndpointRef;
  target: EndpointRef;
  plan: MigrationPlan;
  /** Behavioral tier: the user's queries (options.validation.queries). */
  queries?: ValidationQuery[];
  /** Behavioral tier: bounds of each user query (options.validation.query_timeout_seconds, max_query_rows). */
  queryLimits?: { timeout_seconds?: number; max_rows?: number };
}

/** Rows per keyset chunk of the semantic tier (one chunk digest per side each). */
const SEMANTIC_CHUNK_ROWS = 5_000;
/** Differing rows named per table (the count covers all of them). */
const ROWS_NAMED_PER_TABLE = 20;
const SAMPLE_LIMIT = 20;
/** Columns aggregated by one statistics query (up to five expressions each; PostgreSQL allows 1,664 in a SELECT list). */
const STATISTICS_COLUMNS_PER_QUERY = 250;

// ---------------------------------------------------------------- a read-only SQL session per activity

export type { SessionOptions, SqlSession } from '../connectors/types';

/**
 * A second, read-only connection next to the connector's pool (the Connector has no raw query method), for the
 * SQL Sensei generates. Users' SQL never runs here: it goes through runUserQuery (activities/user-queries.ts).
 */
export async function openSession(endpoint: Endpoint, options: SessionOptions = {}): Promise<SqlSession> {
  if (!isDialect(endpoint.type) || !dialectNamed(endpoint.type).capabilities.supported) {
    throw ApplicationFailure.nonRetryable(`validation is not supported by ${endpoint.type}`, 'NotSupported');
  }
  return (await loadDialectRuntime(endpoint.type)).openValidationSession(endpoint, options);
}

// ---------------------------------------------------------------- helpers

/**
 * The meaning of each column's values, read the same on both sides: the source's type; across dialects, a type only the
 * source declares in its portable form (an array as JSON, GEOMETRY as EWKB, an interval as ISO-8601), as both sides read it.
 */
function typesOf(table: TablePlan, targetDialect: Dialect): CanonicalType[] {
  const kept = keptAsText(targetDialect, table);
  return table.columns.map((c, i) => {
    const type = table.source.columns.find((s) => s.name === c.column)?.type ?? c.canonical;
    if (table.native) return type;
    // A date the target keeps as text is compared as the source's own text of it (a MariaDB zero date too).
    return kept[i] ? { ...crossType(type), keptAsText: true } : crossType(type);
  });
}

/**
 * A column a mapping edit at the gate gave a type of another statistics kind (a YEAR edited to text): each database
 * would aggregate its own type (SUM of text), so the statistics and the generated suite compare it by count only (and
 * leave it out of the top N); the semantic tier compares every value, in the edited kind where the copy converts it.
 */
/**
 * A column the statistics and the generated suite compare by count only: edited at the gate to another kind of type
 * (editedAcrossKinds), or one the two databases cannot aggregate exactly (ValidationSql.inexactAggregates).
 */
function countedOnly(plan: MigrationPlan, table: TablePlan, c: ColumnMapping, type: CanonicalType, places: Place[]): boolean {
  return editedAcrossKinds(plan, table, c, type) || places.some((p) => validationSql(p).inexactAggregates?.(type) === true);
}

function editedAcrossKinds(plan: MigrationPlan, table: TablePlan, c: ColumnMapping, type: CanonicalType): boolean {
  if (!isEditedByHand(c)) return false;
  const target = editedType(plan.targetDialect, c);
  return target !== null && statKind(target) !== statKind(type);
}

/**
 * Why a table is compared in the worker rather than digested in the databases: a column of it was edited at the gate
 * to another kind of type whose values the copy converts (lib/edited-kinds.ts). Null when none was.
 */
function editedRefusal(conversions: readonly (EditedConversion | null)[]): string | null {
  const c = conversions.find((x): x is EditedConversion => x !== null);
  return c ? `column ${c.column} was edited at the gate from ${c.from} to ${c.to}: compared in the worker, each source value converted as the copy converts it` : null;
}

/**
 * How a side's rows are rendered for the semantic tier: under the source's column types, except the columns edited at
 * the gate to another kind of type, rendered under the edited type; on the source side converted into it first as the
 * copy converts them (a value that cannot be equals nothing of the target's: its row was rejected by the copy).
 */
function renderers(
  types: CanonicalType[],
  edited: readonly (EditedConversion | null)[] = [],
  storageClasses = false,
): { source: (row: Row) => string[]; target: (row: Row) => string[] } {
  if (!edited.some(Boolean)) {
    const render = storageClasses
      ? (row: Row) => row.map((v, i) => (v === null ? 'NULL' : `${typeof v}:${canonicalValueText(v, types[i])}`))
      : (row: Row) => row.map((v, i) => canonicalValueText(v, types[i]));
    return { source: render, target: render };
  }
  return {
    source: (row) =>
      row.map((v, i) => {
        const c = edited[i];
        if (!c) return canonicalValueText(v, types[i]);
        const converted = convertEditedValue(v, c);
        return converted.ok ? canonicalValueText(converted.value, c.type) : JSON.stringify(UNCONVERTIBLE);
      }),
    target: (row) => row.map((v, i) => canonicalValueText(v, edited[i]?.type ?? types[i])),
  };
}

/** Rows copied natively are compared as stored (see ReadOptions); across dialects in their portable forms. */
function readOptionsOf(table: TablePlan, targetDialect: Dialect): ReadOptions | undefined {
  if (table.native) return { native: true };
  const kept = keptAsText(targetDialect, table);
  return kept.some(Boolean) ? { keptAsText: kept } : undefined;
}

/** Each plan's tables by source name, made once per plan (per table, a schema of 5,000 tables made 25 million entries). */
const tablesByName = new WeakMap<MigrationPlan, Map<string, TablePlan>>();

function migratedForeignKeys(plan: MigrationPlan, table: TablePlan) {
  let plans = tablesByName.get(plan);
  if (!plans) {
    plans = new Map(plan.tables.map((t) => [t.source.name, t]));
    tablesByName.set(plan, plans);
  }
  return table.source.foreignKeys.flatMap((fk) => {
    const parent = plans.get(fk.referencedTable);
    return parent ? [{ ...fk, parentTarget: parent.target, asText: pairedAcrossKinds(plan, table, parent, fk) }] : [];
  });
}

/**
 * Whether a foreign key pairs columns that a mapping edit at the gate made of different kinds of type in the target
 * (child.pid integer edited to text, parent.id integer): its joins then compare both sides as text, where the target
 * would refuse `=` (PostgreSQL: "operator does not exist: integer = text").
 */
function pairedAcrossKinds(plan: MigrationPlan, table: TablePlan, parent: TablePlan, fk: ForeignKeyInfo): boolean {
  const kind = (t: TablePlan, column: string): string | null => {
    const c = t.columns.find((x) => x.column === column);
    if (!c) return null;
    const type = (isEditedByHand(c) ? editedType(plan.targetDialect, c) : null) ?? c.canonical;
    const k = statKind(type);
    return k === 'other' ? `other ${type.kind}` : k;
  };
  return fk.columns.some((column, i) => kind(table, column) !== kind(parent, fk.referencedColumns[i]));
}

/** The least time between two semantic-tier beats sent only for a table done (see validateContent). */
const TABLE_BEAT_MS = 1_000;

function heartbeatDetails<T>(): T | undefined {
  return Context.current().info.heartbeatDetails as T | undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Runs one tier; an unexpected error becomes the tier's `error` verdict only once Temporal's retries are spent. */
async function tier(name: ValidationTier, work: (startedAt: string) => Promise<TierResult>): Promise<TierResult> {
  const startedAt = new Date().toISOString();
  try {
    return await work(startedAt);
  } catch (err) {
    const info = Context.current().info;
    const lastAttempt = info.attempt >= 3;
    if (!lastAttempt) throw err;
    Context.current().log.warn('validation tier could not run', { tier: name, error: messageOf(err) });
    return finishTier(name, startedAt, 0, [], '', {}, messageOf(err));
  }
}

/** How often a user query that runs long heartbeats (the validation activities' heartbeat timeout is 2 minutes). */
const USER_QUERY_HEARTBEAT_MS = 30_000;

/**
 * One user query on both sides at once, each through every guard of runUserQuery; the failure names the side
 * that failed (both, when both did).
 */
async function userQueryPair(
  source: Endpoint,
  target: Endpoint,
  sourceSql: string,
  targetSql: string,
  limits: UserQueryLimits,
  progress: object,
): Promise<[unknown[][], unknown[][]]> {
  const context = Context.current();
  // A query may run up to its timeout, longer than the heartbeat timeout allows in silence.
  const beat = setInterval(() => context.heartbeat(progress), USER_QUERY_HEARTBEAT_MS);
  try {
    const [s, t] = await Promise.allSettled([runUserQuery(source, sourceSql, limits), runUserQuery(target, targetSql, limits)]);
    if (s.status === 'fulfilled' && t.status === 'fulfilled') return [s.value, t.value];
    const failed = [['source', s] as const, ['target', t] as const].filter(([, r]) => r.status === 'rejected');
    throw new Error(failed.map(([side, r]) => `on the ${side}: ${messageOf((r as PromiseRejectedResult).reason)}`).join('; '));
  } finally {
    clearInterval(beat);
  }
}

/**
 * Where a side's tables are, and which of them are partitioned (read whole): the source's, by their names, and the
 * target's made from them (partitioned alike where the target can be), by theirs.
 */
function placeOf(input: TierInput, connector: Connector, side: 'source' | 'target'): Place {
  const partitioned = new Set(input.plan.tables.filter((t) => t.source.partitioning).map((t) => (side === 'source' ? t.source.name : t.target)));
  return { dialect: connector.dialect, schema: connector.schema, partitioned };
}
const sourcePlace = (input: TierInput, connector: Connector) => placeOf(input, connector, 'source');
const targetPlace = (input: TierInput, connector: Connector) => placeOf(input, connector, 'target');

export function createValidationActivities(pool: ConnectorPool, store?: MetadataStore, plans: PlanKeeper = planKeeper(store)) {
  const connectors = (input: TierInput): Promise<[Connector, Connector]> =>
    Promise.all([pool.get(input.source, 'source'), pool.get(input.target, 'target')]);

  async function sessions<T>(
    input: TierInput,
    work: (s: SqlSession, t: SqlSession, sp: Place, tp: Place) => Promise<T>,
    options: SessionOptions = {},
  ): Promise<T> {
    const [sc, tc] = await connectors(input);
    const [s, t] = await Promise.all([openSession(pool.endpoint(input.source), options), openSession(pool.endpoint(input.target), options)]);
    try {
      return await work(s, t, sourcePlace(input, sc), targetPlace(input, tc));
    } finally {
      await Promise.allSettled([s.close(), t.close()]);
    }
  }

  return {
    /** Tier 1: the plan's tables, columns (mapped types), keys, uniques, foreign keys and indexes exist in the target. */
    async validateStructure(request: TierRequest): Promise<TierResult> {
      const input = await plans.resolve(request);
      return tier('structural', async (startedAt) => {
        const target = await pool.get(input.target, 'target');
        Context.current().heartbeat({ step: 'introspect' });
        const schema = await target.introspect();
        const { checks, findings } = compareStructure(input.plan, schema);
        return finishTier('structural', startedAt, checks, findings, `${checks} structural checks, all present`);
      });
    },

    /** Tier 2: per table row counts and per column aggregates, computed inside each database. */
    async validateStatistics(request: TierRequest): Promise<TierResult> {
      const input = await plans.resolve(request);
      return tier('statistical', (startedAt) =>
        sessions(input, async (s, t, sp, tp) => {
          const resume = heartbeatDetails<{ next: number; checks: number; findings: ValidationFinding[] }>();
          let checks = resume?.checks ?? 0;
          const findings: ValidationFinding[] = resume?.findings ?? [];
          for (let i = resume?.next ?? 0; i < input.plan.tables.length; i++) {
            const table = input.plan.tables[i];
            const types = typesOf(table, input.plan.targetDialect);
            const columns = table.columns.map((c, j) => ({
              name: c.column,
              type: types[j],
              kind: countedOnly(input.plan, table, c, types[j], [sp, tp]) ? ('other' as const) : statKind(types[j]),
              lossless: c.confidence >= 1,
            }));
            // PostgreSQL takes at most 1,664 expressions in one SELECT list: wide tables are aggregated in slices of columns.
            for (let from = 0; from < columns.length || from === 0; from += STATISTICS_COLUMNS_PER_QUERY) {
              const slice = columns.slice(from, from + STATISTICS_COLUMNS_PER_QUERY);
              const [sa, ta] = await Promise.all([
                s.object(statisticsSql(sp, table.source.name, slice)).then((r) => readStatistics(sp, r, slice)),
                t.object(statisticsSql(tp, table.target, slice)).then((r) => readStatistics(tp, r, slice)),
              ]);
              const r = compareStatistics({ table: table.target, columns: slice }, sa, ta);
              checks += r.checks;
              // The row count is in every slice: said once.
              findings.push(...(from === 0 ? r.findings : r.findings.filter((f) => f.check !== 'row_count')));
            }
            Context.current().heartbeat({ next: i + 1, checks, findings: findings.slice(0, 50) });
          }
          return finishTier('statistical', startedAt, checks, findings, `${checks} aggregates equal on both sides`);
        }),
      );
    },

    /** Tier 3: key uniqueness and zero orphaned foreign keys, computed inside the target. */
    async validateReferences(request: TierRequest): Promise<TierResult> {
      const input = await plans.resolve(request);
      return tier('referential', async (startedAt) => {
        const [sc, tc] = await connectors(input);
        const t = await openSession(pool.endpoint(input.target));
        const tp = targetPlace(input, tc);
        // The source is read only for a foreign key the target finds orphans of: were they there already?
        let s: SqlSession | undefined;
        const sourceOrphans = async (ref: ForeignKeyRef): Promise<number> => {
          s ??= await openSession(pool.endpoint(input.source));
          return Number((await s.object(orphanCountSql(sourcePlace(input, sc), ref))).n ?? 0);
        };
        const asInSource: string[] = [];
        try {
          let checks = 0;
          const findings: ValidationFinding[] = [];
          for (const table of input.plan.tables) {
            Context.current().heartbeat({ table: table.target });
            const keys = [table.source.primaryKey, ...table.source.uniqueConstraints.map((u) => u.columns)].filter((k) => k.length > 0);
            for (const key of keys) {
              checks++;
              for (const row of await t.rows(duplicateKeysSql(tp, table.target, key, SAMPLE_LIMIT))) {
                const texts = key.map((_, i) => String(row[i]));
                findings.push({
                  check: 'duplicate_key',
                  table: table.target,
                  key: keyObject(key, texts),
                  target: Number(row[key.length]),
                  message: `${table.target} holds ${row[key.length]} rows with key (${key.join(', ')}) = (${texts.join(', ')})`,
                });
              }
            }
            const childKey = table.source.primaryKey.length > 0 ? table.source.primaryKey : table.keyColumns;
            for (const fk of migratedForeignKeys(input.plan, table)) {
              checks++;
              const ref = { child: table.target, columns: fk.columns, parent: fk.parentTarget, parentColumns: fk.referencedColumns, asText: fk.asText };
              const count = Number((await t.object(orphanCountSql(tp, ref))).n ?? 0);
              if (count === 0) continue;
              // Orphans the source holds as many of (it did not check them: SQLite unless asked, MariaDB with its checks
              // off) are the rows as they were, copied faithfully (the other tiers compare them): said, not failed.
              const inSource = await sourceOrphans({ child: table.source.name, columns: fk.columns, parent: fk.referencedTable, parentColumns: fk.referencedColumns, asText: fk.asText });
              if (inSource === count) {
                asInSource.push(`${table.target}.${fk.name} (${count})`);
                continue;
              }
              const cols = [...new Set([...childKey, ...fk.columns])];
              const sample = await t.rows(orphanSampleSql(tp, ref, childKey, Math.min(count, SAMPLE_LIMIT)));
              for (const row of sample) {
                const named = Object.fromEntries(cols.map((c, i) => [c, row[i] === null ? 'NULL' : String(row[i])]));
                const key = keyObject(childKey, childKey.map((c) => named[c]));
                findings.push({
                  check: 'orphaned_foreign_key',
                  table: table.target,
                  key,
                  target: Object.fromEntries(fk.columns.map((c) => [c, named[c]])),
                  message:
                    `${table.target} row (${childKey.map((c) => `${c}=${named[c]}`).join(', ')}) refers to ${fk.parentTarget}` +
                    `(${fk.referencedColumns.join(', ')}) = (${fk.columns.map((c) => named[c]).join(', ')}), which does not exist` +
                    (count > sample.length ? ` (${count} orphans in all)` : '') +
                    `; the source has ${inSource}`,
                });
              }
            }
          }
          const orphans = asInSource.length ? `orphans only as the source holds them: ${asInSource.join(', ')}` : 'no orphans';
          return finishTier('referential', startedAt, checks, findings, `${checks} key and foreign-key checks, no duplicates, ${orphans}`);
        } finally {
          await t.close();
          await s?.close();
        }
      });
    },

    /**
     * Tier 4: every row. Tables whose types all have a SQL normal form are digested range by range inside
     * both databases and bisected down to the differing keys; the others are read and hashed in the worker.
     */
    async validateContent(request: TierRequest): Promise<TierResult> {
      const input = await plans.resolve(request);
      return tier('semantic', async (startedAt) => {
        const [source, target] = await connectors(input);
        const sp = sourcePlace(input, source);
        const tp = targetPlace(input, target);
        const resume = heartbeatDetails<SemanticProgress>();
        const tables: TableContentHash[] = resume?.tables ?? [];
        const findings: ValidationFinding[] = resume?.findings ?? [];
        const methods: TableMethod[] = resume?.methods ?? [];
        let failures = resume?.failures ?? 0;
        let lastBeat = 0;
        const beat = (progress: SemanticProgress) => {
          lastBeat = Date.now();
          Context.current().heartbeat(progress);
        };
        const digests = await openDigestSessions(pool.endpoint(input.source), pool.endpoint(input.target), sp, tp);
        try {
          for (let i = resume?.next ?? 0; i < input.plan.tables.length; i++) {
            const table = input.plan.tables[i];
            const fresh = !(resume && resume.next === i);
            const report = (p: Omit<SemanticProgress, 'next' | 'tables' | 'methods'>) => beat({ ...p, next: i, tables, methods });
            const edited = editedConversions(input.plan.targetDialect, table);
            const refusal = digests.refusal ?? editedRefusal(edited) ?? inDatabaseRefusal(table, sp, tp);
            let r: TableOutcome;
            if (refusal === null && digests.sessions) {
              const [s, t] = digests.sessions;
              r = await compareTableInDatabase(s, t, sp, tp, table, fresh ? null : resume.ranges, fresh ? null : resume.partial, (ranges, partial, named) =>
                report({ after: null, ranges, partial, failures: failures + named.count, findings: [...findings, ...named.sample].slice(0, 50) }),
              );
              methods.push({ table: table.target, method: 'database' });
            } else {
              r = await compareTableContent(
                source,
                target,
                table,
                fresh ? null : resume.after,
                fresh ? null : resume.partial,
                (after, partial, named) => report({ after, ranges: null, partial, failures: failures + named.count, findings: [...findings, ...named.sample].slice(0, 50) }),
                edited,
              );
              methods.push({ table: table.target, method: 'worker', reason: refusal ?? undefined });
            }
            tables.push(r.hash);
            failures += r.failures;
            findings.push(...r.findings);
            // Once a table is done its beat is sent only if none was for a second: each carries every table's hash so far,
            // and a beat per table of thousands was quadratic work for the worker (a later beat carries the progress on).
            if (Date.now() - lastBeat >= TABLE_BEAT_MS) beat({ next: i + 1, after: null, ranges: null, partial: null, tables, methods, failures, findings: findings.slice(0, 50) } satisfies SemanticProgress);
          }
        } finally {
          await digests.close();
        }
        const note = methodNote(methods);
        // Every table's rows, including those compared before a retry resumed from the heartbeat.
        const checks = tables.reduce((n, t) => n + t.source_rows, 0);
        const result = finishTier('semantic', startedAt, checks, findings, `${checks} rows in ${tables.length} tables equal on both sides`, { tables, note });
        return failures > result.failures ? { ...result, failures, summary: result.summary.replace(/^\d+/, String(failures)) } : result;
      });
    },

    /** Tier 5: the generated query suite and the user's queries, on both sides, results compared. */
    async validateBehavior(request: TierRequest): Promise<TierResult> {
      const input = await plans.resolve(request);
      return tier('behavioral', (startedAt) =>
        sessions(input, async (s, t, sp, tp) => {
          const suiteTables: SuiteTable[] = input.plan.tables.map((table) => {
            const types = typesOf(table, input.plan.targetDialect);
            return {
              name: table.source.name,
              columns: table.columns.map((c, j) => ({
                name: c.column,
                type: types[j],
                ...(countedOnly(input.plan, table, c, types[j], [sp, tp]) ? { countOnly: true } : {}),
              })),
              primaryKey: table.source.primaryKey,
              foreignKeys: migratedForeignKeys(input.plan, table).map((fk) => ({
                name: fk.name,
                columns: fk.columns,
                parent: fk.referencedTable,
                parentColumns: fk.referencedColumns,
                asText: fk.asText,
              })),
            };
          });
          const targetName = new Map(input.plan.tables.map((x) => [x.source.name, x.target]));
          const sourceSuite = generatedSuite(sp, suiteTables, (n) => n);
          const targetSuite = generatedSuite(tp, suiteTables, (n) => targetName.get(n) ?? n);
          const pairs: { origin: 'generated' | 'user'; s: SuiteQuery; t: SuiteQuery }[] = sourceSuite.map((q, i) => ({ origin: 'generated', s: q, t: targetSuite[i] }));
          for (const uq of input.queries ?? []) {
            const ordered = hasOrderBy(uq.target_sql ?? uq.sql);
            pairs.push({ origin: 'user', s: { name: uq.name, sql: uq.sql, ordered }, t: { name: uq.name, sql: uq.target_sql ?? uq.sql, ordered } });
          }
          const queries: BehavioralQueryResult[] = [];
          const findings: ValidationFinding[] = [];
          const user = { source: pool.endpoint(input.source), target: pool.endpoint(input.target), limits: userQueryLimits(input.queryLimits) };
          for (const [i, pair] of pairs.entries()) {
            if (i % 10 === 0) Context.current().heartbeat({ query: i });
            const base = { name: pair.s.name, origin: pair.origin, ordered: pair.s.ordered };
            let sr: unknown[][];
            let tr: unknown[][];
            try {
              [sr, tr] =
                pair.origin === 'user'
                  ? await userQueryPair(user.source, user.target, pair.s.sql, pair.t.sql, user.limits, { query: i })
                  : await Promise.all([s.rows(pair.s.sql).then((r) => readResultRows(sp, r, pair.s.types)), t.rows(pair.t.sql).then((r) => readResultRows(tp, r, pair.t.types))]);
            } catch (err) {
              queries.push({ ...base, outcome: 'failed', error: messageOf(err) });
              findings.push({ check: 'query_failed', message: `query "${pair.s.name}" failed: ${messageOf(err)}` });
              continue;
            }
            const c = compareResults(resultRowTexts(sr, pair.s.types), resultRowTexts(tr, pair.s.types), pair.s.ordered);
            const outcome = c.equal ? 'equal' : 'different';
            queries.push({ ...base, outcome, source_rows: sr.length, target_rows: tr.length, source_sha256: c.source_sha256, target_sha256: c.target_sha256, ...(c.equal ? {} : { only_in_source: c.only_in_source, only_in_target: c.only_in_target }) });
            if (!c.equal) {
              findings.push({
                check: 'result_differs',
                source: c.only_in_source,
                target: c.only_in_target,
                message: `query "${pair.s.name}" returns different results (source ${sr.length} rows, target ${tr.length}; ${c.only_in_source.length} only in source, ${c.only_in_target.length} only in target)`,
              });
            }
          }
          return finishTier('behavioral', startedAt, queries.length, findings, `${queries.length} queries return equal results on both sides`, { queries });
        }, { exactFloats: true }),
      );
    },

    /** Signs the certificate once every tier passed. The signing key never leaves the worker. */
    async issueCertificate(request: CertificateRequest): Promise<{ certificate: Certificate; summary: CertificateSummary }> {
      const input = await plans.resolve(request);
      const failed = VALIDATION_TIERS.filter((name) => input.results[name]?.verdict !== 'passed');
      if (failed.length > 0) {
        throw ApplicationFailure.nonRetryable(`no certificate: tiers not passed: ${failed.join(', ')}`, 'ValidationFailed');
      }
      const semantic = input.results.semantic as TierResult;
      const tables: CertificateTable[] = (semantic.tables ?? []).map((t) => ({
        name: t.table,
        target: t.target,
        source_rows: t.source_rows,
        target_rows: t.target_rows,
        source_content_sha256: t.source_sha256,
        target_content_sha256: t.target_sha256,
      }));
      const tiers = Object.fromEntries(
        VALIDATION_TIERS.map((name) => {
          const r = input.results[name] as TierResult;
          const tierEvidence: CertificateTier = { verdict: 'passed', evidence_sha256: r.evidence_sha256, checks: r.checks, summary: r.summary };
          return [name, tierEvidence];
        }),
      ) as Record<ValidationTier, CertificateTier>;
      const key = loadOrCreateSigningKey({ signingKey: process.env.SENSEI_SIGNING_KEY || undefined, dataDir: loadConfig().dataDir });
      const certificate = signCertificate(
        {
          format: CERTIFICATE_FORMAT,
          certificate_id: newCertificateId(),
          migration: input.migration,
          environment: input.environment ?? 'live',
          source: input.source,
          target: input.target,
          schema_fingerprint: schemaFingerprint(input.plan),
          tables,
          tiers,
          timestamps: { ...input.timestamps, issued_at: new Date().toISOString() },
        },
        key,
      );
      const summary = summarizeCertificate(certificate);
      // The signed text itself, kept so the certificate is served byte for byte once the workflow is gone.
      await store?.recordCertificate(input.migration.id, {
        certificate_id: certificate.certificate_id,
        validation_attempt: input.migration.validation_attempt,
        issued_at: summary.issued_at,
        sha256: summary.sha256,
        document: certificateText(certificate),
      });
      return { certificate, summary };
    },
  };
}

/** What issueCertificate is sent: its plan whole, or by reference (activities/plans.ts). */
export type CertificateRequest = Omit<CertificateInput, 'plan'> & PlanCarrier;

export interface CertificateInput {
  migration: Certificate['migration'];
  /** Absent in inputs recorded before certificates named their environment: live, as the API's default. */
  environment?: Certificate['environment'];
  source: Certificate['source'];
  target: Certificate['target'];
  plan: MigrationPlan;
  results: Partial<Record<ValidationTier, TierResult>>;
  timestamps: { migration_started_at: string | null; validation_started_at: string; validation_completed_at: string };
}

/** sha256 of the plan's structure: tables, columns with source and mapped types, keys, uniques, foreign keys, indexes. */
export function schemaFingerprint(plan: MigrationPlan): string {
  return sha256Hex(
    canonicalJson({
      source_dialect: plan.sourceDialect,
      target_dialect: plan.targetDialect,
      tables: plan.tables.map((t) => ({
        name: t.source.name,
        target: t.target,
        columns: t.columns.map((c) => ({ name: c.column, source_type: c.sourceType, target_type: c.targetType, nullable: c.nullable })),
        primary_key: t.source.primaryKey,
        unique: t.source.uniqueConstraints,
        foreign_keys: t.source.foreignKeys,
        indexes: t.source.indexes,
      })),
    }),
  );
}

export type ValidationActivities = ReturnType<typeof createValidationActivities>;

// ---------------------------------------------------------------- semantic: progress and method

/** Heartbeat details of the semantic tier: where to resume, and everything found so far. */
interface SemanticProgress {
  /** Index of the table in progress. */
  next: number;
  /** Worker method: last compared key. */
  after: Key | null;
  /** In-database method: the table's ranges and the first one not yet compared. */
  ranges: RangeState | null;
  partial: TableContentHash | null;
  tables: TableContentHash[];
  methods: TableMethod[];
  failures: number;
  findings: ValidationFinding[];
}

interface DigestSessions {
  /** Why no table of this pair can be digested in the databases; null when tables may be. */
  refusal: string | null;
  sessions: [SqlSession, SqlSession] | null;
  close(): Promise<void>;
}

/** Read-only sessions set up for the digest SQL (UTC, ISO dates, uncut GROUP_CONCAT), when both dialects have it. */
export async function openDigestSessions(source: Endpoint, target: Endpoint, sp: Place, tp: Place): Promise<DigestSessions> {
  const unsupported = [sp, tp].find((p) => !dialectNamed(p.dialect).capabilities.inDatabaseDigest);
  if (unsupported) return { refusal: `${unsupported.dialect} has no in-database digest`, sessions: null, close: async () => undefined };
  const off = [sp, tp].map((p) => dialectNamed(p.dialect).validation?.digest?.off?.() ?? null).find((r) => r !== null);
  if (off) return { refusal: off, sessions: null, close: async () => undefined };
  const opened = await Promise.allSettled([openSession(source), openSession(target)]);
  const failed = opened.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) {
    // The side that did open is closed, not left to the server to end.
    await Promise.allSettled(opened.map((o) => (o.status === 'fulfilled' ? o.value.close() : undefined)));
    throw failed.reason;
  }
  const [s, t] = opened.map((o) => (o as PromiseFulfilledResult<SqlSession>).value);
  const close = async () => {
    await Promise.allSettled([s.close(), t.close()]);
  };
  try {
    let refusal: string | null = null;
    for (const [session, place] of [[s, sp], [t, tp]] as const) {
      for (const sql of digestSessionSql(place)) await session.rows(sql);
      const check = dialectNamed(place.dialect).validation?.digest?.encodingCheck;
      if (check) refusal = check.refusal(await session.object(check.sql)) ?? refusal;
    }
    return { refusal, sessions: [s, t], close };
  } catch (err) {
    await close();
    throw err;
  }
}

function digestSide(session: SqlSession, place: Place, table: DigestTable, hashRows: boolean): DigestSide {
  const big = (v: unknown) => (v === null || v === undefined ? null : BigInt(String(v)));
  return {
    async bounds() {
      const [row] = await session.rows(boundsSql(place, table));
      return { min: big(row[0]), max: big(row[1]), count: Number(row[2]) };
    },
    async digests(from, to, width) {
      if (dialectNamed(place.dialect).validation?.digest?.windowBySubRange) {
        const out = new Map<bigint, RangeDigest>();
        for (let i = 0n; from + i * width < to; i++) {
          const end = from + (i + 1n) * width;
          const [row] = await session.rows(rangeDigestSql(place, table, from + i * width, end < to ? end : to, hashRows));
          if (Number(row[0]) > 0) out.set(i, { count: Number(row[0]), digest: String(row[1]), cut: Number(row[2]) === 1 });
        }
        return out;
      }
      const rows = await session.rows(rangeDigestsSql(place, table, from, to, width, hashRows));
      // A fourth column, where the dialect's aggregate can be cut short, says it was (the range is then split).
      return new Map(rows.map((r) => [BigInt(String(r[0])), { count: Number(r[1]), digest: r[2] === null ? null : String(r[2]), ...(r.length > 3 ? { cut: Number(r[3]) === 1 } : {}) }]));
    },
  };
}

/**
 * One table through in-database range digests (lib/validation/ranges.ts): equal ranges cost a digest per
 * side; differing ones are bisected inside the databases, and only ranges of a few hundred rows are read
 * here to name the differing rows with both values.
 */
export async function compareTableInDatabase(
  s: SqlSession,
  t: SqlSession,
  sp: Place,
  tp: Place,
  table: TablePlan,
  resumeRanges: RangeState | null,
  resumePartial: TableContentHash | null,
  progress: (ranges: RangeState | null, partial: TableContentHash, named: { count: number; sample: ValidationFinding[] }) => void,
  options: RangeOptions = DEFAULT_RANGE_OPTIONS,
): Promise<TableOutcome> {
  const sides = digestTables(table, tp.dialect);
  const types = typesOf(table, tp.dialect);
  const columns = table.columns.map((c) => c.column);
  const positions = table.keyColumns.map((k) => columns.indexOf(k));
  const render = (row: Row) => row.map((v, i) => canonicalValueText(v, types[i]));
  const keyOf = (row: Row) => keyTexts(row, positions, types);
  const hash: TableContentHash = resumePartial ?? emptyHash(table);
  const findings: ValidationFinding[] = [];
  let failures = 0;
  const note = (f: ValidationFinding) => {
    failures++;
    if (findings.length < ROWS_NAMED_PER_TABLE) findings.push(f);
  };
  // Heartbeats carry copies as of the last finished window: a resumed run repeats at most that window.
  let committed = { ranges: resumeRanges, partial: { ...hash }, count: 0, sample: [] as ValidationFinding[] };
  const beat = () => progress(committed.ranges, committed.partial, { count: committed.count, sample: committed.sample });
  // Both sides hash rows alike, or neither (a pair with Oracle: its LISTAGG holds 4,000 bytes).
  const hashRows = pairHashesRows(sp, tp);
  await compareRanges(digestSide(s, sp, sides.source, hashRows), digestSide(t, tp, sides.target, hashRows), options, hash, resumeRanges, {
    async leaf(from, to) {
      beat();
      const before = failures;
      const [sRows, tRows] = await Promise.all([
        s.rows(rangeRowsSql(sp, sides.source, from, to)).then((rows) => rangeRowsRead(sp, sides.source, rows)),
        t.rows(rangeRowsSql(tp, sides.target, from, to)).then((rows) => rangeRowsRead(tp, sides.target, rows)),
      ]);
      diffChunk(table, keyOf, { source: render, target: render }, sRows as Row[], tRows as Row[], note);
      return failures - before;
    },
    progress(state, h) {
      committed = { ranges: state, partial: { ...h }, count: failures, sample: [...findings] };
      beat();
    },
    unexplained(from, to) {
      note({
        check: 'range_digest_differs',
        table: table.target,
        source: { from: from.toString(), to: to.toString() },
        message:
          `${table.target}: rows with ${table.keyColumns[0]} in [${from}, ${to}) hash differently inside the two databases ` +
          'but compare equal in the worker (the SQL normal forms disagree)',
      });
    },
  });
  return { hash, failures, findings };
}

function emptyHash(table: TablePlan): TableContentHash {
  return { table: table.source.name, target: table.target, source_rows: 0, target_rows: 0, chunks: 0, differing_chunks: 0, source_sha256: '', target_sha256: '' };
}

// ---------------------------------------------------------------- semantic: one table

interface TableOutcome {
  hash: TableContentHash;
  failures: number;
  findings: ValidationFinding[];
}

/** A row's key as the cursor the next read starts after (bytes as their hex: lib/keys.ts). */
function rawKey(row: Row, positions: number[]): Key {
  return positions.map((p) => keyPart(row[p]));
}

function chain(previous: string, digest: string): string {
  return createHash('sha256').update(previous + digest).digest('hex');
}

function chunkDigest(lines: string[]): string {
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

export async function compareTableContent(
  source: Connector,
  target: Connector,
  table: TablePlan,
  resumeAfter: Key | null,
  resumePartial: TableContentHash | null,
  progress: (after: Key | null, partial: TableContentHash, named: { count: number; sample: ValidationFinding[] }) => void,
  /** Per column, the conversion of a column edited at the gate to another kind of type (lib/edited-kinds.ts editedConversions). */
  edited: readonly (EditedConversion | null)[] = [],
): Promise<TableOutcome> {
  const columns = table.columns.map((c) => c.column);
  const types = typesOf(table, target.dialect);
  // Copied natively where a column holds any value (SQLite), a value keeps its storage class: the REAL 1.0 and the
  // INTEGER 1 of an untyped column differ (read as a number and a bigint), as they do in the database.
  const render = renderers(types, edited, table.native && dialectNamed(target.dialect).capabilities.looseValues);
  const hash: TableContentHash = resumePartial ?? emptyHash(table);
  const findings: ValidationFinding[] = [];
  let failures = 0;
  const note = (f: ValidationFinding) => {
    failures++;
    if (findings.length < ROWS_NAMED_PER_TABLE) findings.push(f);
  };

  if (table.copyMode === 'whole_table' || table.keyColumns.length === 0) {
    // No key: both sides as multisets of canonical rows.
    const read = async (c: Connector, name: string, side: (row: Row) => string[]) => {
      const lines: string[] = [];
      for await (const batch of c.readAll(name, columns, columns, SEMANTIC_CHUNK_ROWS, readOptionsOf(table, target.dialect))) for (const row of batch) lines.push(JSON.stringify(side(row)));
      return lines.sort();
    };
    const [s, t] = await Promise.all([read(source, table.source.name, render.source), read(target, table.target, render.target)]);
    // As multisets (ordered: false): a row missing in one place must not shift every row after it into a difference.
    const c = compareResults(s.map((l) => JSON.parse(l) as string[]), t.map((l) => JSON.parse(l) as string[]), false, ROWS_NAMED_PER_TABLE);
    hash.source_rows = s.length;
    hash.target_rows = t.length;
    hash.chunks = 1;
    hash.source_sha256 = chunkDigest(s);
    hash.target_sha256 = chunkDigest(t);
    if (!c.equal) {
      hash.differing_chunks = 1;
      // A table without a key has nothing to name a row by but its values, which stay in source/target.
      for (const row of c.only_in_source) note({ check: 'row_missing', table: table.target, source: row, message: `${table.target}: a row of the source is missing in the target (its values are in the tier's report)` });
      for (const row of c.only_in_target) note({ check: 'row_extra', table: table.target, target: row, message: `${table.target}: the target has a row the source does not (its values are in the tier's report)` });
    }
    return { hash, failures, findings };
  }

  const positions = table.keyColumns.map((k) => columns.indexOf(k));
  const keyTypes = positions.map((p) => types[p]);
  const keyOf = (row: Row) => keyTexts(row, positions, types);
  let sAfter = resumeAfter;
  let tAfter = resumeAfter;
  let tDone = false;
  let buffer: Row[] = [];
  for (;;) {
    const sRows = await source.readChunk(table.source.name, columns, table.keyColumns, sAfter, SEMANTIC_CHUNK_ROWS, readOptionsOf(table, target.dialect));
    const lastChunk = sRows.length < SEMANTIC_CHUNK_ROWS;
    const upper = lastChunk ? null : keyOf(sRows[sRows.length - 1]);
    const within = (row: Row) => upper === null || compareKeyTexts(keyOf(row), upper, keyTypes) <= 0;
    // Read the target ahead until it passes the source chunk's last key, so an extra or missing row shifts nothing.
    while (!tDone && (buffer.length === 0 || within(buffer[buffer.length - 1]))) {
      const more = await target.readChunk(table.target, columns, table.keyColumns, tAfter, SEMANTIC_CHUNK_ROWS, readOptionsOf(table, target.dialect));
      if (more.length < SEMANTIC_CHUNK_ROWS) tDone = true;
      if (more.length > 0) tAfter = rawKey(more[more.length - 1], positions);
      buffer = buffer.concat(more);
    }
    let take = 0;
    while (take < buffer.length && within(buffer[take])) take++;
    const tRows = buffer.slice(0, take);
    buffer = buffer.slice(take);

    const sLines = sRows.map((r) => JSON.stringify(render.source(r)));
    const tLines = tRows.map((r) => JSON.stringify(render.target(r)));
    const sDigest = chunkDigest(sLines);
    const tDigest = chunkDigest(tLines);
    hash.source_sha256 = chain(hash.source_sha256, sDigest);
    hash.target_sha256 = chain(hash.target_sha256, tDigest);
    hash.source_rows += sRows.length;
    hash.target_rows += tRows.length;
    hash.chunks++;
    if (sDigest !== tDigest) {
      hash.differing_chunks++;
      diffChunk(table, keyOf, render, sRows, tRows, note);
    }
    if (lastChunk) break;
    sAfter = rawKey(sRows[sRows.length - 1], positions);
    // A resumed run restarts both cursors at this boundary: target rows up to it are already compared.
    progress(sAfter, hash, { count: failures, sample: findings });
  }
  return { hash, failures, findings };
}

/** Names every differing row of one chunk pair: changed (with the columns that differ), missing, extra. */
function diffChunk(
  table: TablePlan,
  keyOf: (row: Row) => string[],
  render: { source: (row: Row) => string[]; target: (row: Row) => string[] },
  sRows: Row[],
  tRows: Row[],
  note: (f: ValidationFinding) => void,
): void {
  const columns = table.columns.map((c) => c.column);
  const targetByKey = new Map(tRows.map((r) => [JSON.stringify(keyOf(r)), r]));
  const keyLabel = (k: string[]) => table.keyColumns.map((c, i) => `${c}=${k[i]}`).join(', ');
  for (const s of sRows) {
    const k = keyOf(s);
    const id = JSON.stringify(k);
    const t = targetByKey.get(id);
    const key = keyObject(table.keyColumns, k);
    if (!t) {
      note({ check: 'row_missing', table: table.target, key, source: Object.fromEntries(columns.map((c, i) => [c, render.source(s)[i]])), message: `${table.target} row (${keyLabel(k)}) is missing in the target` });
      continue;
    }
    targetByKey.delete(id);
    const sv = render.source(s);
    const tv = render.target(t);
    const differing = columns.filter((_, i) => sv[i] !== tv[i]);
    if (differing.length === 0) continue;
    note({
      check: 'row_changed',
      table: table.target,
      key,
      source: Object.fromEntries(differing.map((c) => [c, sv[columns.indexOf(c)]])),
      target: Object.fromEntries(differing.map((c) => [c, tv[columns.indexOf(c)]])),
      // Column names only: messages reach the failure, webhooks and logs; the values stay in source/target above.
      message: `${table.target} row (${keyLabel(k)}) differs in ${differing.join(', ')}`,
    });
  }
  for (const t of targetByKey.values()) {
    const k = keyOf(t);
    note({ check: 'row_extra', table: table.target, key: keyObject(table.keyColumns, k), target: Object.fromEntries(columns.map((c, i) => [c, render.target(t)[i]])), message: `${table.target} row (${keyLabel(k)}) exists only in the target` });
  }
}
