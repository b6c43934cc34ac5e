import { Connection, Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';

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
