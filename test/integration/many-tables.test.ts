/**
 * 1,000 tables with the server suggesting continue-as-new every 100 events, so the run continues as new and carries
 * its state (test/helpers/many-tables.ts says what is checked).
 */
import { migrateManyTables } from '../helpers/many-tables';
import { migrationSuite } from '../helpers/suite';

const TABLES = Number(process.env.SENSEI_TEST_TABLES ?? 1000);
const suite = migrationSuite({ serverArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=100'] });

test(`${TABLES} tables: completed, validated, certified; no payload in the history over 256 kB; schema and plan stored once`, () => migrateManyTables(suite, TABLES, true), 1_500_000);
