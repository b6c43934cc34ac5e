/**
 * Indexes on long texts, MariaDB → PostgreSQL through the workflow on a real Temporal dev server. A FULLTEXT index
 * (MATCH … AGAINST) is MariaDB's own: it is left out, the plan saying so (made as a b-tree on whole texts it served
 * nothing, and an article's text made PostgreSQL refuse it after the copy, failing the migration). A prefix index on a
 * MEDIUMTEXT, made on the whole text in PostgreSQL, is refused there for a long row: every row is still copied, the
 * index is named not created (with PostgreSQL's reason), the other indexes are made, and the structural tier names
 * it missing. Before, both failed the migration at the end of the copy ("index row requires 19816 bytes"). A UNIQUE
 * key on a prefix (made in CREATE TABLE, on the whole text there) rejects the long row by its key during the copy; it
 * failed the migration ("write u failed").
 */
import { mariadbRows, pgRows } from '../helpers/databases';
import { migrateOnce, migrationSuite } from '../helpers/suite';

const suite = migrationSuite({ timeoutMs: 120_000 });

test('MariaDB → PostgreSQL: a FULLTEXT index is left out and said; a prefix index long rows break is said, the rows whole', async () => {
  const source = await suite.database('mysql');
  await mariadbRows(source.endpoint, `CREATE TABLE docs (id INT PRIMARY KEY, title VARCHAR(200) NOT NULL, body MEDIUMTEXT, FULLTEXT KEY docs_ft (title, body), KEY docs_title (title))`);
  await mariadbRows(source.endpoint, `CREATE TABLE notes (id INT PRIMARY KEY, body MEDIUMTEXT NOT NULL, KEY notes_body (body(50)), KEY notes_id_body (id, body(10)))`);
  // Texts that do not compress into an index entry: 600 distinct digests.
  const long = `SELECT GROUP_CONCAT(MD5(seq) SEPARATOR ' ') FROM seq_1_to_600`;
  await mariadbRows(source.endpoint, `INSERT INTO docs SELECT 1, 'long', (${long}) UNION ALL SELECT 2, 'short', 'a few words'`);
  await mariadbRows(source.endpoint, `INSERT INTO notes SELECT 1, (${long}) UNION ALL SELECT 2, 'short'`);

  const target = await suite.database('postgresql');
  const { status, plan } = await migrateOnce(suite, source, target);
  expect(plan?.notes).toContain(
    'index docs_ft of docs is not migrated, because it is a FULLTEXT index, for MATCH … AGAINST, which another dialect searches its own way (create its text search there by hand)',
  );
  // Every row is copied, byte for byte.
  expect(status.phases.find((p) => p.name === 'data_transfer')?.status).toBe('completed');
  const [sourceDigest] = await mariadbRows(source.endpoint, 'SELECT GROUP_CONCAT(id, MD5(body) ORDER BY id) d FROM notes');
  expect(await pgRows(target.endpoint, "SELECT string_agg(id || md5(body), ',' ORDER BY id) d FROM notes")).toEqual([sourceDigest]);
  expect(await pgRows(target.endpoint, 'SELECT count(*)::int n, sum(length(body))::int l FROM docs')).toEqual([{ n: 2, l: 600 * 33 - 1 + 'a few words'.length }]);
  // The indexes long rows do not break are made; the one they do is said, with PostgreSQL's reason.
  expect(await pgRows(target.endpoint, "SELECT indexname n FROM pg_indexes WHERE tablename IN ('docs', 'notes') ORDER BY 1")).toEqual([
    { n: 'docs_pkey' },
    { n: 'docs_title' },
    { n: 'notes_pkey' },
  ]);
  const notCreated = status.errors.filter((e) => e.code === 'ObjectNotCreated').map((e) => e.message);
  expect(notCreated).toEqual([
    expect.stringMatching(/^not created on the target: index notes_body of notes: the target refused it for the rows copied \(.*index row (requires|size)/),
    expect.stringMatching(/^not created on the target: index notes_id_body of notes: the target refused it/),
  ]);
  // The structural tier names what is missing; the content is equal.
  expect(status.validation?.diagnosis?.caught_by).toBe('structural');
  expect(status.validation?.tiers.structural.summary).toMatch(/^2 difference\(s\); first: index notes_body on notes\(body\) is missing/);
  expect(status.validation?.tiers.semantic.verdict).toBe('passed');
}, 300_000);

test('MariaDB → PostgreSQL: a UNIQUE key on the first characters of a long text rejects that row, not the migration', async () => {
  const source = await suite.database('mysql');
  await mariadbRows(source.endpoint, `CREATE TABLE uniq (id INT PRIMARY KEY, body MEDIUMTEXT, UNIQUE KEY uniq_body (body(100)))`);
  await mariadbRows(source.endpoint, `INSERT INTO uniq SELECT 1, GROUP_CONCAT(MD5(seq) SEPARATOR ' ') FROM seq_1_to_600`);
  await mariadbRows(source.endpoint, `INSERT INTO uniq VALUES (2, 'short'), (3, 'other')`);
  const target = await suite.database('postgresql');
  const { status, rejected } = await migrateOnce(suite, source, target);
  // PostgreSQL keys the whole text: the long row cannot be held under the key; the others are copied.
  expect(rejected).toEqual([[[1], expect.stringMatching(/index row requires \d+ bytes/)]]);
  expect(await pgRows(target.endpoint, 'SELECT id, body FROM uniq ORDER BY id')).toEqual([
    { id: 2, body: 'short' },
    { id: 3, body: 'other' },
  ]);
  expect(status.failure?.code).toBe('ValidationFailed');
  expect(status.validation?.diagnosis?.finding).toBe('uniq row (id=1) is missing in the target');
}, 300_000);
