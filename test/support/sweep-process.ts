import 'reflect-metadata';
import { SlaBreachSweep } from '../../src/modules/ticket-slas/sla-breach-sweep';
import { createTestApp } from './test-app';

/**
 * A second OS process running the app on the test's database (forked by an e2e test through
 * @swc-node/register), so "two app instances" can be two processes. It boots the app as the tests do
 * (a manual clock, jobs off), says `ready`, then runs one breach sweep per `sweep` message at the
 * clock time the parent sends (starting at its `startAt`, epoch ms) and answers with what it did; `close` shuts the app down and exits.
 */
async function main(): Promise<void> {
  const databaseUrl = process.env.SWEEP_DATABASE_URL;
  if (!databaseUrl) throw new Error('SWEEP_DATABASE_URL is required');
  const app = await createTestApp({ databaseUrl });
  process.on('message', (message: { id: number; type: string; now?: string; startAt?: number }) => {
    const run = async (): Promise<object> => {
      if (message.type === 'sweep') {
        app.clock.set(new Date(message.now ?? Date.now()));
        // Start at the wall-clock moment the parent named, so both processes sweep at once.
        const wait = (message.startAt ?? 0) - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const result = await app.get(SlaBreachSweep).sweep();
        return { result, pid: process.pid };
      }
      if (message.type === 'close') {
        await app.close();
        setImmediate(() => process.exit(0));
        return {};
      }
      throw new Error(`unknown message ${message.type}`);
    };
    void run().then(
      (value) => process.send?.({ ...value, id: message.id }),
      (error: unknown) =>
        process.send?.({ id: message.id, error: error instanceof Error ? error.stack : String(error) }),
    );
  });
  process.send?.({ type: 'ready', pid: process.pid });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
