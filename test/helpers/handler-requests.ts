// The DynamoDB requests the handlers send, counted on their own client (functions/lib/runtime.ts): each
// command's name and input, in order. For the tests that check how many requests a change costs.

/** One request the handlers' DynamoDB client sent. */
export interface SentRequest {
  command: string;
  input: Record<string, unknown>;
}

type Runtime = {
  ddb: { middlewareStack: { add: (mw: unknown, o: unknown) => void; remove: (n: string) => boolean } };
};

const runtime = async () => (await import("../../functions/lib/runtime.ts")) as unknown as Runtime;

/**
 * Record every request of the handlers' client into `sent` (under the middleware name `name`) until
 * the returned function removes the recorder.
 *
 * @example
 * ```ts
 * const sent: SentRequest[] = [];
 * const stop = await recordHandlerRequests("myTest", sent); // beforeAll
 * await stop(); // afterAll
 * ```
 */
export async function recordHandlerRequests(name: string, sent: SentRequest[]): Promise<() => Promise<void>> {
  (await runtime()).ddb.middlewareStack.add(
    (next: (a: unknown) => Promise<unknown>, ctx: { commandName: string }) =>
      (args: { input: Record<string, unknown> }) => {
        sent.push({ command: ctx.commandName, input: args.input });
        return next(args);
      },
    { step: "initialize", name },
  );
  return async () => {
    (await runtime()).ddb.middlewareStack.remove(name);
  };
}
