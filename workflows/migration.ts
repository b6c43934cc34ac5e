// The migration workflow lives in workflows/migration/ (its index tells the files apart). This file keeps the
// import path '…/workflows/migration' resolving there, also in a dist/ built before the split, where a compiled
// migration.js of the old single file would otherwise win over the folder.
export * from './migration/index';
