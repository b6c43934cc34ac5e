/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Every folder of test/, test/cluster included (the real-cluster test takes about 90 s; `npm run test:cluster` runs it alone).
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // Integration and e2e tests share one machine's PostgreSQL, MariaDB and CPU: run files one at a time.
  maxWorkers: 1,
  testTimeout: 120000,
  reporters: ['default', '<rootDir>/scripts/jest-summary-reporter.js'],
};
