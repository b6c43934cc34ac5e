/**
 * One migration through Sensei's real path: the Temporal dev server, a worker in its own process (so its peak
 * RSS can be read from /proc), the migration workflow started through the client (strategy aggressive).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { endpointLabel } from '../connectors/endpoint';
import type { Endpoint } from '../connectors/types';
import type { MigrationInput, MigrationOptions, MigrationStatus } from '../lib/migration';
import { Sealer } from '../lib/secrets';
import { freePort, startDevServer, type DevServer } from '../workers/dev-server';
import { connectClient, ensureWorkflowBundle } from '../workers/temporal';
import { WORKER_NODE_FLAGS } from '../workers/worker';
import { migrationWorkflow, startUpdate, statusQuery } from '../workflows/migration';

const ROOT = path.resolve(__dirname, '../..');
/** One migration may take this long before the benchmark gives up on it. */
const TIMEOUT_MS = 30 * 60_000;

export interface SenseiRun {
  /** From the start update until the data_transfer phase completed: analysis, mapping, tables, copy, indexes. */
  ms: number;
  /** Until the workflow was over (adds validation and certification, which the peers do not do). */
  totalMs: number;
  /** Each phase's duration (from the workflow's own timings). */
  phaseMs: Record<string, number | null>;
  /** Set when the workflow failed after its data was in (e.g. a validation tier); the copy is still measured. */
  failure: string | null;
  rows: number;
  status: string;
  chunks: number;
  finalChunkSize: number;
  /** The worker's peak RSS during the migration, validation included (VmHWM, reset once the worker polls). */
  peakRssMb: number;
  /** The worker's peak RSS until the data_transfer phase completed (read when the status first shows it; ≤ 250 ms late). */
  copyPeakRssMb: number;
  /** The worker's peak RSS while it started (workflow bundling). */
  startupPeakRssMb: number;
  historyEvents: number;
  runs: number;
  /** Per activity type, from the history (see historyOfAllRuns). */
  activities: Record<string, ActivityTime>;
}

export interface ActivityTime {
  count: number;
  /** Summed time from each activity's start to its completion. */
  runMs: number;
  /** Summed time from each activity's scheduling to its completion (adds the wait for a worker slot and the poll). */
  scheduledToCloseMs: number;
}

export class SenseiBench {
  private constructor(
    private readonly server: DevServer,
    private readonly client: Client,
    private readonly dataDir: string,
  ) {}

  static async start(dataDir: string): Promise<SenseiBench> {
    fs.mkdirSync(dataDir, { recursive: true });
    const server = await startDevServer(dataDir, { port: await freePort(), dbFile: '', ui: false });
    const client = await connectClient(server.address, 'default');
    return new SenseiBench(server, client, dataDir);
  }

  async migrate(source: Endpoint, target: Endpoint, table: string, extraEnv: NodeJS.ProcessEnv = {}, options: MigrationOptions = {}): Promise<SenseiRun> {
    const taskQueue = `bench-${randomBytes(4).toString('hex')}`;
    const encryptionKey = randomBytes(24).toString('base64url');
    // The worker loads the prebuilt workflow bundle; a `tsc` since the last build makes it stale, so bundle here,
    // outside the measured process.
    await ensureWorkflowBundle();
    const worker = spawnWorker({
      TEMPORAL_ADDRESS: this.server.address,
      SENSEI_TASK_QUEUE: taskQueue,
      SENSEI_ENCRYPTION_KEY: encryptionKey,
      SENSEI_DATA_DIR: this.dataDir,
      SENSEI_LOG_LEVEL: 'warn',
      ...extraEnv,
    });
    try {
      await this.waitForPollers(taskQueue, worker);
      // Its start (loading the workflow bundle; with a stale bundle, webpack) is reported apart from the copy's peak.
      const startupPeakRssMb = peakRss(worker.pid!);
      fs.writeFileSync(`/proc/${worker.pid}/clear_refs`, '5');
      const sealer = new Sealer(encryptionKey);
      const ref = (e: Endpoint) => ({ type: e.type, sealedConnection: sealer.seal(e.connectionString), description: endpointLabel(e) });
      const id = `bench_${randomBytes(6).toString('hex')}`;
      const input: MigrationInput = {
        id,
        name: `bench ${source.type} → ${target.type}`,
        source: { ...ref(source), tables: [table] },
        target: ref(target),
        strategy: 'aggressive',
        options: { replace_existing_tables: true, ...options },
        createdAt: new Date().toISOString(),
      };
      const handle = await this.client.workflow.start(migrationWorkflow, { taskQueue, workflowId: id, args: [input] });
      // A migration waits in `created` until started (the API's POST …/start).
      const started = Date.now();
      await handle.executeUpdate(startUpdate);
      let copyPeakRssMb = 0;
      const status = await this.waitUntilOver(id, worker, (s) => {
        if (!copyPeakRssMb && s.phases.find((p) => p.name === 'data_transfer')?.status === 'completed') copyPeakRssMb = peakRss(worker.pid!);
      });
      const totalMs = Date.now() - started;
      const peakRssMb = peakRss(worker.pid!);
      const t = status.tables.find((x) => x.name === table);
      const phaseMs = Object.fromEntries(
        status.phases.map((p) => [p.name, p.started_at && p.completed_at ? Date.parse(p.completed_at) - Date.parse(p.started_at) : null]),
      );
      const transfer = status.phases.find((p) => p.name === 'data_transfer');
      const history = await this.historyOfAllRuns(id, handle.firstExecutionRunId);
      if (transfer?.status !== 'completed' || !transfer.completed_at) {
        throw new Error(`migration ended ${status.status} before its data was in: ${JSON.stringify(status.failure ?? status.errors)}`);
      }
      return {
        ms: Date.parse(transfer.completed_at) - started,
        startupPeakRssMb,
        totalMs,
        phaseMs,
        failure: status.status === 'completed' ? null : `${status.status}: ${status.failure?.message ?? ''}`.slice(0, 500),
        rows: t?.rows_copied ?? 0,
        status: status.status,
        chunks: t?.chunks ?? 0,
        finalChunkSize: t?.chunk_size ?? 0,
        peakRssMb,
        copyPeakRssMb,
        historyEvents: history.events,
        runs: history.runs,
        activities: history.activities,
      };
    } finally {
      await stop(worker);
    }
  }

  /** Until the worker polls its task queue for workflow and activity tasks. */
  private async waitForPollers(taskQueue: string, worker: ChildProcess): Promise<void> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (worker.exitCode !== null || worker.signalCode !== null) throw new Error(`the worker exited at start (${worker.exitCode ?? worker.signalCode})`);
      const counts = await Promise.all(
        [1, 2].map((taskQueueType) =>
          this.client.workflowService
            .describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType })
            .then((r) => r.pollers?.length ?? 0),
        ),
      );
      if (counts.every((n) => n > 0)) return;
      if (Date.now() > deadline) throw new Error('the worker did not poll within 120 s');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private async waitUntilOver(id: string, worker: ChildProcess, onStatus: (status: MigrationStatus) => void): Promise<MigrationStatus> {
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      if (worker.exitCode !== null || worker.signalCode !== null) throw new Error(`the worker exited (${worker.exitCode ?? worker.signalCode})`);
      if (Date.now() > deadline) throw new Error(`migration ${id} not over after ${TIMEOUT_MS / 1000} s`);
      // The id alone follows the latest run across continue-as-new.
      const status = await this.client.workflow.getHandle(id).query(statusQuery).catch(() => null);
      if (status) onStatus(status);
      if (status && ['completed', 'failed', 'cancelled'].includes(status.status)) return status;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /**
   * Events of every run of the workflow (each continued-as-new run names the next), and per activity type how many
   * ran, the time they ran (started → completed, summed) and the time from scheduling to completion (summed).
   */
  private async historyOfAllRuns(id: string, firstRunId: string): Promise<{ events: number; runs: number; activities: Record<string, ActivityTime> }> {
    type Time = { seconds?: { toNumber(): number } | number | null; nanos?: number | null } | null | undefined;
    type Event = {
      eventId?: { toString(): string } | null;
      eventTime?: Time;
      activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
      activityTaskStartedEventAttributes?: { scheduledEventId?: { toString(): string } | null } | null;
      activityTaskCompletedEventAttributes?: { scheduledEventId?: { toString(): string } | null } | null;
      workflowExecutionContinuedAsNewEventAttributes?: { newExecutionRunId?: string | null } | null;
    };
    const ms = (t: Time) => (t ? Number(typeof t.seconds === 'number' ? t.seconds : (t.seconds?.toNumber() ?? 0)) * 1000 + (t.nanos ?? 0) / 1e6 : 0);
    let runId: string | undefined = firstRunId;
    let events = 0;
    let runs = 0;
    const activities: Record<string, ActivityTime> = {};
    while (runId) {
      const list: Event[] = ((await this.client.workflow.getHandle(id, runId).fetchHistory()).events ?? []) as Event[];
      const scheduled = new Map<string, { type: string; at: number; startedAt?: number }>();
      for (const e of list) {
        if (e.activityTaskScheduledEventAttributes) {
          scheduled.set(String(e.eventId), { type: e.activityTaskScheduledEventAttributes.activityType?.name ?? '?', at: ms(e.eventTime) });
        } else if (e.activityTaskStartedEventAttributes) {
          const s = scheduled.get(String(e.activityTaskStartedEventAttributes.scheduledEventId));
          if (s) s.startedAt = ms(e.eventTime);
        } else if (e.activityTaskCompletedEventAttributes) {
          const s = scheduled.get(String(e.activityTaskCompletedEventAttributes.scheduledEventId));
          if (!s) continue;
          const a = (activities[s.type] ??= { count: 0, runMs: 0, scheduledToCloseMs: 0 });
          a.count += 1;
          a.runMs += Math.round(ms(e.eventTime) - (s.startedAt ?? s.at));
          a.scheduledToCloseMs += Math.round(ms(e.eventTime) - s.at);
        }
      }
      events += list.length;
      runs += 1;
      runId = list.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    return { events, runs, activities };
  }

  async close(): Promise<void> {
    await this.client.connection.close();
    await this.server.stop();
  }
}

function spawnWorker(env: NodeJS.ProcessEnv): ChildProcess {
  // Started as `npm run worker` starts it (its V8 flags included).
  const args = [...WORKER_NODE_FLAGS, ...(process.env.SENSEI_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SENSEI_BENCH_CPU_PROF}`] : [])];
  const child = spawn(process.execPath, [...args, path.join(ROOT, 'dist/workers/worker.js')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

/** VmHWM: the process's peak resident set, in MB. */
function peakRss(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
