/**
 * 5,000 tables on a server with its default settings, as a user's would be (test/helpers/many-tables.ts says what is
 * checked): completed, validated and certified, every status query within the API's deadline.
 */
import { migrateManyTables } from '../helpers/many-tables';
import { migrationSuite } from '../helpers/suite';

const suite = migrationSuite();

test('5000 tables: completed, validated, certified; status queries within the deadline; no payload in the history over 256 kB', () => migrateManyTables(suite, 5000, false), 2_400_000);
