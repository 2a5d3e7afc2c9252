import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { SQSClient } from "@aws-sdk/client-sqs";
import { redriveDeliveries } from "@phiwatch/aws";
import { DEFAULT_DIR, defaultBaseline, UsageError } from "../context.ts";
import { LOCAL_NAMES, LocalStack } from "../local/stack.ts";

/**
 * `phiwatch forward redrive [--target NAME] [--max N]` — move dead-lettered webhook deliveries back to
 * the delivery queue, after the SIEM is fixed. Deployed: `--from DLQ_URL --to QUEUE_URL` with the
 * caller's AWS credentials. Local: the local stack's queues (then drained, so they are delivered).
 */
export async function forwardCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      target: { type: "string" },
      max: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      baseline: { type: "string" },
      dir: { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals[0] !== "redrive")
    throw new UsageError(
      "usage: phiwatch forward redrive [--target NAME] [--max N] [--from DLQ_URL --to QUEUE_URL]",
    );
  const max = values.max ? Number(values.max) : undefined;
  if (max !== undefined && (!Number.isInteger(max) || max < 1))
    throw new UsageError("--max must be a positive integer");
  const filter = values.target
    ? (body: string) => body.includes(`"target":${JSON.stringify(values.target)}`)
    : undefined;
  const opts = { ...(max ? { max } : {}), ...(filter ? { filter } : {}) };

  if (values.from || values.to) {
    if (!values.from || !values.to) throw new UsageError("--from and --to go together");
    const sqs = new SQSClient({});
    const r = await redriveDeliveries(sqs, { url: values.from }, { url: values.to }, opts);
    process.stdout.write(
      `${r.moved} deliveries moved back to ${values.to}\n${JSON.stringify(r.reasons, null, 2)}\n`,
    );
    return 0;
  }
  const stack = await LocalStack.start({
    dir: resolve(values.dir ?? DEFAULT_DIR),
    baselineFile: defaultBaseline(values.baseline),
    logLevel: "ERROR",
  });
  try {
    const r = await redriveDeliveries(
      stack.sqs!,
      stack.queues[LOCAL_NAMES.deliveriesDlq]!,
      stack.queues[LOCAL_NAMES.deliveries]!,
      opts,
    );
    await stack.drain();
    process.stdout.write(`${r.moved} deliveries redriven and delivered\n`);
    return 0;
  } finally {
    await stack.stop();
  }
}
