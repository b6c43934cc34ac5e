/**
 * Past the gate a continue-as-new carries only the keys of the source schema and the plan in the metadata store
 * (DocumentRefs): the runs after it hold neither. Through the API, on a run that holds only those keys, the schema,
 * the target schema and the mappings still answer (read from the store), a rejected row is retried (its table's plan
 * read by key), validation re-runs and the certificate is issued; once the migration is closed, the outcome kept in
 * the store has the documents whole. Real HTTP, real Temporal, a real worker process, PostgreSQL → MariaDB.
 */
import mysql from 'mysql2/promise';
import { Client as PgClient } from 'pg';
import type { MigrationInput, MigrationStatus } from '../../lib/migration';
import { documentRefsQuery, planQuery } from '../../workflows/migration';
import { apiCaller } from '../helpers/http';
import { stackSuite } from '../helpers/stack-suite';

const suite = stackSuite();

/** Enough 100-row chunks that a run passes the workflow's history limit (1,500 events) and continues as new. */
const READINGS = 40_000;

test('a run that holds only the keys of the schema and the plan answers them, retries a row and certifies', async () => {
  const { stack } = suite;
  const [source, target] = [await suite.database('postgresql'), await suite.database('mysql')];
  const pg = new PgClient({ connectionString: source.endpoint.connectionString });
  await pg.connect();
  try {
    await pg.query(`CREATE TABLE readings (id int PRIMARY KEY, value numeric(10,3)); INSERT INTO readings SELECT g, g / 7.0 FROM generate_series(1, ${READINGS}) g`);
    // MariaDB's DATETIME stops at year 9999: that row is rejected and named; fixed at the source, it is retried.
    await pg.query("CREATE TABLE dated (id int PRIMARY KEY, at timestamp); INSERT INTO dated VALUES (1, '2020-01-02 03:04:05'), (2, '12000-01-01 00:00:00')");
    await pg.query('ANALYZE readings, dated');

    const { api, poll } = apiCaller(stack);
    const created = await api('POST', '/v1/migrations', {
      name: 'documents by reference',
      source: { type: 'postgresql', connection_string: source.endpoint.connectionString },
      target: { type: 'mysql', connection_string: target.endpoint.connectionString },
      strategy: 'aggressive',
      options: { chunk_size: 100, parallel_tables: 2, validation: { failed_hold_seconds: 600 } },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await api('POST', `/v1/migrations/${id}/start`)).status).toBe(202);
    const failed = await poll(id, (s) => s.status === 'failed', 300_000);
    expect(failed.failure?.code).toBe('ValidationFailed');
    expect(failed.progress.rows_copied).toBe(READINGS + 1);

    // The run holding now is one a continue-as-new started with the documents' keys only.
    const handle = stack.client.workflow.getHandle(id);
    const previousRun = (await handle.fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    expect(previousRun).toBeTruthy();
    const previous = await stack.client.workflow.getHandle(id, previousRun as string).fetchHistory();
    const payloads = previous.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.input?.payloads ?? [];
    expect(payloads).toHaveLength(1);
    const carried = (JSON.parse(Buffer.from(payloads[0]?.data ?? []).toString('utf8')) as MigrationInput).carried;
    expect(carried).toMatchObject({ schema: null, plan: null, documentRefs: { sourceSchema: 'public', targetSchema: expect.any(String) } });
    expect(await handle.query(planQuery)).toBeNull();
    expect(await handle.query(documentRefsQuery)).toEqual(carried?.documentRefs);

    // The API reads them from the store.
    const schema = await api('GET', `/v1/migrations/${id}/schema/source`);
    expect(schema.status).toBe(200);
    expect(schema.body.tables.map((t: { name: string }) => t.name).sort()).toEqual(['dated', 'readings']);
    const planned = await api('GET', `/v1/migrations/${id}/schema/target`);
    expect(planned.status).toBe(200);
    expect(planned.body.tables.map((t: { name: string }) => t.name).sort()).toEqual(['dated', 'readings']);
    // Both speak the API's snake_case at every depth.
    const readings = schema.body.tables.find((t: { name: string }) => t.name === 'readings');
    expect(readings).toMatchObject({ primary_key: ['id'], columns: [{ name: 'id', native_type: 'integer' }, { name: 'value', native_type: 'numeric(10,3)' }] });
    for (const answer of [schema, planned]) expect(answer.text).not.toMatch(/"[a-z]+[A-Z]\w*":/);
    const mappings = await api('GET', `/v1/migrations/${id}/mappings`);
    expect(mappings.status).toBe(200);
    expect(mappings.body.data.map((m: { id: string }) => m.id).sort()).toEqual(['dated.at', 'dated.id', 'readings.id', 'readings.value']);
    const status = (await api('GET', `/v1/migrations/${id}/status`)).body as MigrationStatus;
    expect(status.source.schema).toBe('public');
    expect(status.target.schema).toBe(carried?.documentRefs?.targetSchema);

    // The rejected row, fixed at the source, is copied again: its table's plan is read by key.
    const rejected = failed.errors.find((e) => e.code === 'RowRejected');
    expect(rejected).toMatchObject({ table: 'dated', key: [2] });
    await pg.query("UPDATE dated SET at = '2021-01-01 00:00:00' WHERE id = 2");
    const retry = await api('POST', `/v1/migrations/${id}/errors/${rejected?.id}/retry`);
    expect([retry.status, retry.body?.outcome]).toEqual([200, 'copied']);
    const my = await mysql.createConnection(target.endpoint.connectionString);
    try {
      const [rows] = await my.query('SELECT id, CAST(at AS CHAR) AS at FROM dated ORDER BY id');
      expect(rows).toEqual([
        { id: 1, at: '2020-01-02 03:04:05.000000' },
        { id: 2, at: '2021-01-01 00:00:00.000000' },
      ]);
    } finally {
      await my.end();
    }

    expect((await api('POST', `/v1/migrations/${id}/validation/rerun`, {})).status).toBe(202);
    const done = await poll(id, (s) => s.status === 'completed' && s.certificate !== null, 300_000);
    expect(done.validation?.status).toBe('passed');
    await handle.result();

    // Closed: served from the outcome in the store, which keeps the documents whole.
    const outcome = JSON.parse((await stack.store.getStoredOutcome(id))?.carry_on as string) as MigrationInput;
    expect(outcome.carried?.documentRefs).toBeUndefined();
    expect(outcome.carried?.plan?.tables.map((t) => t.target).sort()).toEqual(['dated', 'readings']);
    const after = await api('GET', `/v1/migrations/${id}/schema/target`);
    expect(after.body).toEqual(planned.body);
  } finally {
    await pg.end();
  }
}, 900_000);
