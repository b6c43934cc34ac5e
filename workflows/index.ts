// Entry point of the workflow bundle: every workflow type the worker registers.
export { migrationWorkflow } from './migration';
export { webhookDeliveryWorkflow } from './webhooks';
