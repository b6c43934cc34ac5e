import { Connection, Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../lib/logger';

/** Connects a client, waiting (bounded) for a server that is still starting to serve its namespace. */
export async function connectClient(address: string, namespace: string, timeoutMs = 60_000): Promise<Client> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await Connection.connect({ address });
      try {
        await connection.workflowService.describeNamespace({ namespace });
      } catch (err) {
        await connection.close();
        throw err;
      }
      return new Client({ connection, namespace });
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`cannot reach Temporal at ${address} (namespace ${namespace})`, { cause: err });
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

export async function connectWorker(address: string, timeoutMs = 60_000): Promise<NativeConnection> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await NativeConnection.connect({ address });
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`cannot reach Temporal at ${address}`, { cause: err });
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Sends the Temporal SDK's own logs (worker, workflow and activity loggers) through the process logger. Call once, first. */
export function installRuntimeLogging(log: Logger, level: LogLevel = 'INFO'): void {
  Runtime.install({
    logger: new DefaultLogger(level, ({ level: l, message, meta }) => {
      log[PINO_LEVEL[l]]({ ...meta }, message);
    }),
  });
}
