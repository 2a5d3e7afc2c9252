import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { SQSClient } from "@aws-sdk/client-sqs";
import { redriveDeliveries } from "@phiwatch/aws";
import { type Baseline, parseBaseline } from "@phiwatch/core";
import { DEFAULT_DIR, defaultBaseline, UsageError } from "../context.ts";
import { LOCAL_NAMES, LocalStack } from "../local/stack.ts";

/**
 * `phiwatch forward redrive [--target NAME] [--max N]` — move dead-lettered webhook deliveries back to
 * the delivery queue, after the SIEM is fixed. Deployed: `--from DLQ_URL --to QUEUE_URL` with the
 * caller's AWS credentials. Local: the local stack's queues (then drained, so they are delivered).
 * `--target` must name a webhook target of the baseline: the forwarder dead-letters a delivery whose
 * target the baseline no longer has at once, so redriving one only sends it back to the DLQ, and a
 * misspelt name would otherwise report "0 deliveries" as if the DLQ were empty.
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
  const baselineFile = defaultBaseline(
    values.baseline,
    values.from || values.to ? "forward redrive between deployed queues" : undefined,
  );
  if (values.target !== undefined) {
    const targets = knownTargets(parseBaseline(readFileSync(baselineFile, "utf8"), baselineFile));
    if (!targets.includes(values.target))
      throw new UsageError(
        `--target: "${values.target}" is not a webhook target of ${baselineFile} (targets: ${targets.join(", ") || "none"})`,
      );
  }
  const filter = values.target !== undefined ? deliveryTargetFilter(values.target) : undefined;
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
    baselineFile,
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

/** The webhook target names of a baseline, in its order. */
export function knownTargets(baseline: Baseline): string[] {
  return baseline.webhooks.map((t) => t.name);
}

/**
 * Whether a queued delivery (`{"target", "event"}`, functions/lib/announce.ts) is for `target`: its own
 * `target` field, not any `"target":` inside the finding's evidence (access findings have one).
 */
export function deliveryTargetFilter(target: string): (body: string) => boolean {
  return (body) => {
    try {
      return (JSON.parse(body) as { target?: unknown })?.target === target;
    } catch {
      return false;
    }
  };
}
