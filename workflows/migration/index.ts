/**
 * The migration workflow, in the order one reads it:
 *   contract.ts   what clients can say and ask (updates, signals, queries and their types)
 *   rules.ts      when each change is allowed (the update validators', and the API's for a closed migration)
 *   workflow.ts   the story: the phases in order, and how a run ends
 *   handlers.ts   the handlers of the contract, updates with their validators
 *   run.ts        the state of a run and its bookkeeping (timeline, errors, events, results in the store)
 *   phases.ts, transfer.ts, validation.ts   what each phase does
 *   activities.ts the activities, grouped by how they time out and retry
 */
export * from './contract';
export * from './rules';
export { migrationWorkflow } from './workflow';
export { progressOf } from '../state';
