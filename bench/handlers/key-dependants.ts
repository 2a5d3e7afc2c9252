// What a bucket change costs in an account with many KMS keys: the kms-* controls depend on buckets (a
// key protecting a PHI bucket is a PHI key), so a bucket change re-evaluates keys of its account. The
// real config-change handler against DynamoDB Local (local stack, in memory); DynamoDB requests and
// the keys re-evaluated (one inventory GetItem of the key's own item each: kms-rotation's key fact),
// per kind of change. Request counts are exact; wall times are upper bounds (DynamoDB Local, shared machine).
// Run: node --import tsx bench/handlers/key-dependants.ts   (BENCH_KEYS=200 by default)

import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  bucketConfigurationItem,
  configChangeEvent,
  kmsKeyConfigurationItem,
} from "../../packages/cli/src/demo/config-events.ts";
import { LocalStack, REPO_ROOT } from "../../packages/cli/src/local/stack.ts";

const KEYS = Number(process.env.BENCH_KEYS ?? 200);
const ACCOUNT = "111122223333";
const REGION = "us-east-1";
const stack = await LocalStack.start({
  baselineFile: join(REPO_ROOT, "examples/baseline.yaml"),
  logLevel: "ERROR",
});
const runtime = (await import(pathToFileURL(join(REPO_ROOT, "functions/lib/runtime.ts")).href)) as {
  ddb: { middlewareStack: { add: (mw: unknown, opts: unknown) => void } };
};
let counts: Record<string, number> = {};
runtime.ddb.middlewareStack.add(
  (next: (a: unknown) => Promise<unknown>, ctx: { commandName?: string }) =>
    async (args: { input?: Record<string, unknown> }) => {
      const name = ctx.commandName ?? "?";
      counts[name] = (counts[name] ?? 0) + 1;
      const pk = String((args.input?.Key as { PK?: { S?: string } } | undefined)?.PK?.S ?? "");
      if (name === "GetItemCommand" && pk.includes("#AWS::KMS::Key#"))
        counts.keyItemReads = (counts.keyItemReads ?? 0) + 1;
      if (name === "BatchGetItemCommand")
        counts.findingKeysAsked =
          (counts.findingKeysAsked ?? 0) +
          Object.values(args.input?.RequestItems as Record<string, { Keys: unknown[] }>).reduce(
            (n, t) => n + t.Keys.length,
            0,
          );
      return next(args);
    },
  { step: "initialize", name: "keyDependantsBench" },
);

const keyId = (i: number) => `0b6f1e6a-3c1d-4a51-9d6e-${String(i).padStart(12, "0")}`;
const keyArn = (i: number) => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId(i)}`;
let minute = 0;
const at = () => new Date(Date.UTC(2026, 2, 3, 9) + minute++ * 60_000).toISOString();
const bucket = (name: string, kmsKeyId?: string, deleted = false) =>
  configChangeEvent(
    bucketConfigurationItem({
      name,
      capturedAt: at(),
      ...(deleted ? { status: "ResourceDeleted" as const } : {}),
      sse: kmsKeyId ? { algorithm: "aws:kms", kmsKeyId } : { algorithm: "AES256" },
      publicAccessBlock: {
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: true,
        restrictPublicBuckets: true,
      },
    }),
  );

// The account: KEYS customer-managed keys, 20 PHI buckets (northwind-ctr-*) on keys 0–19 by ARN, 20
// other buckets on keys 20–39 by key id.
for (let i = 0; i < KEYS; i++)
  await stack.dispatch(
    configChangeEvent(
      kmsKeyConfigurationItem({
        keyId: keyId(i),
        accountId: ACCOUNT,
        keyManager: "CUSTOMER",
        capturedAt: at(),
      }),
    ),
  );
for (let i = 0; i < 20; i++) await stack.dispatch(bucket(`northwind-ctr-kb-${i}`, keyArn(i)));
for (let i = 0; i < 20; i++) await stack.dispatch(bucket(`app-assets-kb-${i}`, keyId(20 + i)));

const kinds: Array<{ kind: string; events: () => Array<Record<string, unknown>> }> = [
  {
    kind: "PHI bucket re-recorded, same key (ARN)",
    events: () => Array.from({ length: 10 }, (_, i) => bucket(`northwind-ctr-kb-${i}`, keyArn(i))),
  },
  {
    kind: "PHI bucket moves to another key (ARN → ARN)",
    events: () => Array.from({ length: 10 }, (_, i) => bucket(`northwind-ctr-kb-${10 + i}`, keyArn(100 + i))),
  },
  {
    kind: "other bucket re-recorded, same key (key id)",
    events: () => Array.from({ length: 10 }, (_, i) => bucket(`app-assets-kb-${i}`, keyId(20 + i))),
  },
  {
    kind: "other bucket, SSE-S3 (first record)",
    events: () => Array.from({ length: 10 }, (_, i) => bucket(`app-assets-s3-${i}`)),
  },
  {
    kind: "PHI bucket deleted",
    events: () => Array.from({ length: 5 }, (_, i) => bucket(`northwind-ctr-kb-${i}`, undefined, true)),
  },
  {
    kind: "PHI bucket on an alias (alias/phi)",
    events: () => Array.from({ length: 5 }, (_, i) => bucket(`northwind-ctr-kb-${5 + i}`, "alias/phi")),
  },
];

const results = [];
for (const { kind, events } of kinds) {
  const list = events();
  counts = {};
  const t0 = performance.now();
  for (const e of list) await stack.dispatch(e);
  const ms = performance.now() - t0;
  const per = (n = 0) => +(n / list.length).toFixed(1);
  const requests = Object.entries(counts)
    .filter(([k]) => k.endsWith("Command"))
    .reduce((n, [, v]) => n + v, 0);
  results.push({
    kind,
    changes: list.length,
    keysReevaluatedPerChange: per(counts.keyItemReads),
    dynamodbRequestsPerChange: per(requests),
    findingKeysAskedPerChange: per(counts.findingKeysAsked),
    wallMsPerChange: +(ms / list.length).toFixed(1),
    requests: Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, per(v)])),
  });
}
await stack.stop();
console.log(JSON.stringify({ keys: KEYS, results }, null, 2));
