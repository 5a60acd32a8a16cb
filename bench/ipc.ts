/** The child's side of the benches' IPC protocol (kept free of heavy imports for the bare server). */

type Handler = (message: Record<string, unknown>) => Promise<object>;

/** Serves a child's side of the IPC protocol: one handler per message type, replies carry the id. */
export function answerParent(handlers: Record<string, Handler>): void {
  process.on('message', (message: Record<string, unknown> & { id: number; type: string }) => {
    const handler = handlers[message.type];
    const reply = handler
      ? handler(message).then(
          (value) => ({ ...value, id: message.id }),
          (error: unknown) => ({
            id: message.id,
            error: error instanceof Error ? error.message : String(error),
          }),
        )
      : Promise.resolve({ id: message.id, error: `unknown message ${message.type}` });
    void reply.then((value) => process.send?.(value));
  });
}
