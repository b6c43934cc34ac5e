/**
 * Replay fixtures: a test that ran a migration worth keeping as a fixture records the histories of its runs with
 * recordHistories, when asked to (SENSEI_RECORD_HISTORIES=1); otherwise it records nothing. The files land in
 * test/fixtures/histories, where test/integration/replay.test.ts replays every one against today's workflow code.
 *   SENSEI_RECORD_HISTORIES=1 npx jest test/integration/history.test.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export const HISTORY_FIXTURES = path.resolve(__dirname, '../fixtures/histories');

export const recordingHistories = () => process.env.SENSEI_RECORD_HISTORIES === '1';

/** Every run of a workflow id, oldest first (continue-as-new chains them). */
async function runsOf(client: Client, workflowId: string): Promise<string[]> {
  const runs: { runId: string; start: number }[] = [];
  for await (const w of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push({ runId: w.runId, start: w.startTime.getTime() });
  return runs.sort((a, b) => a.start - b.start).map((r) => r.runId);
}

/**
 * Writes the history of each run of `workflowId` as `<name>.json.gz` (one run) or `<name>-run<N>.json.gz` (the first two
 * runs and the last of a continue-as-new chain), stored as
 * History.toObject (longs, enums and bytes as strings; replay.test.ts reads them back with fromObject).
 * Answers the files written (none unless SENSEI_RECORD_HISTORIES=1).
 */
export async function recordHistories(client: Client, workflowId: string, name: string): Promise<string[]> {
  if (!recordingHistories()) return [];
  // The visibility store lists a closed run a moment after it closed.
  const described = await client.workflow.getHandle(workflowId).describe();
  let runs: string[] = [];
  for (let i = 0; i < 50 && !runs.includes(described.runId); i++) {
    runs = await runsOf(client, workflowId);
    if (!runs.includes(described.runId)) await new Promise((r) => setTimeout(r, 200));
  }
  const files: string[] = [];
  for (const [i, runId] of runs.entries()) {
    // Of a long chain, the first run, the first carried one and the last tell every kind apart.
    if (i > 1 && i < runs.length - 1) continue;
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const file = path.join(HISTORY_FIXTURES, runs.length === 1 ? `${name}.json.gz` : `${name}-run${i + 1}.json.gz`);
    const object = temporal.api.history.v1.History.toObject(temporal.api.history.v1.History.fromObject(history), { longs: String, enums: String, bytes: String });
    fs.writeFileSync(file, zlib.gzipSync(JSON.stringify(object), { level: 9 }));
    files.push(file);
  }
  return files;
}
