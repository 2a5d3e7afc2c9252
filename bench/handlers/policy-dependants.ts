// What a managed policy or group change costs in an account with many roles: the identity controls
// depend on AWS::IAM::Policy and AWS::IAM::Group (a role's verdict reads the policies it attaches, a
// user's also its groups), so such a change re-evaluates identities of its account. The real
// config-change handler against DynamoDB Local (local stack, in memory); DynamoDB requests and the
// identities re-evaluated (roles, users and managed policies whose identity-control findings the change
// read), per kind of change. Request counts are exact; wall times are upper bounds (DynamoDB Local,
// shared machine).
// Run: node --import tsx bench/handlers/policy-dependants.ts   (BENCH_ROLES=500 by default)

import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  configChangeEvent,
  iamGroupConfigurationItem,
  iamPolicyConfigurationItem,
  iamRoleConfigurationItem,
  iamUserConfigurationItem,
} from "../../packages/cli/src/demo/config-events.ts";
import { LocalStack, REPO_ROOT } from "../../packages/cli/src/local/stack.ts";
import { CONTROLS, findingId, fromConfigurationItem } from "../../packages/core/src/index.ts";

const ROLES = Number(process.env.BENCH_ROLES ?? 500);
const ACCOUNT = "111122223333";
const stack = await LocalStack.start({
  baselineFile: join(REPO_ROOT, "examples/baseline.yaml"),
  logLevel: "ERROR",
});
const runtime = (await import(pathToFileURL(join(REPO_ROOT, "functions/lib/runtime.ts")).href)) as {
  ddb: { middlewareStack: { add: (mw: unknown, opts: unknown) => void } };
};
let counts: Record<string, number> = {};
let asked = new Set<string>();
runtime.ddb.middlewareStack.add(
  (next: (a: unknown) => Promise<unknown>, ctx: { commandName?: string }) =>
    async (args: { input?: Record<string, unknown> }) => {
      const name = ctx.commandName ?? "?";
      counts[name] = (counts[name] ?? 0) + 1;
      if (name === "BatchGetItemCommand")
        for (const t of Object.values(
          args.input?.RequestItems as Record<string, { Keys: Array<{ PK: { S: string } }> }>,
        )) {
          counts.findingKeysAsked = (counts.findingKeysAsked ?? 0) + t.Keys.length;
          for (const k of t.Keys) asked.add(k.PK.S);
        }
      return next(args);
    },
  { step: "initialize", name: "policyDependantsBench" },
);

let minute = 0;
const at = () => new Date(Date.UTC(2026, 2, 3, 9) + minute++ * 60_000).toISOString();
const doc = (...Statement: unknown[]) => ({ Version: "2012-10-17", Statement });
const DESCRIBE = doc({ Effect: "Allow", Action: "ec2:Describe*", Resource: "*" });
const READ_TRANSCRIPTS = doc({
  Effect: "Allow",
  Action: "s3:GetObject",
  Resource: "arn:aws:s3:::northwind-contact-lens-transcripts/*",
});
const policyArn = (i: number) => `arn:aws:iam::${ACCOUNT}:policy/team-${i}`;
const policy = (i: number, document: unknown = DESCRIBE, deleted = false) =>
  configChangeEvent(
    iamPolicyConfigurationItem({
      policyName: `team-${i}`,
      capturedAt: at(),
      document,
      ...(deleted ? { status: "ResourceDeleted" as const } : {}),
    }),
  );
const group = (attachedPolicies: string[]) =>
  configChangeEvent(iamGroupConfigurationItem({ groupName: "devs", capturedAt: at(), attachedPolicies }));

// The account: ROLES roles with an inline policy each, roles 0–49 also attaching one of the managed
// policies team-0…team-9 (5 roles each); 20 managed policies (team-10…team-19 attached by nobody);
// 10 users, 5 of them in the group devs (which attaches team-0).
const items = [
  ...Array.from({ length: ROLES }, (_, i) =>
    iamRoleConfigurationItem({
      roleName: `svc-${i}`,
      capturedAt: at(),
      inlinePolicies: { describe: DESCRIBE },
      attachedPolicies: i < 50 ? [policyArn(i % 10)] : [],
    }),
  ),
  ...Array.from({ length: 10 }, (_, i) =>
    iamUserConfigurationItem({ userName: `user-${i}`, capturedAt: at(), groups: i < 5 ? ["devs"] : [] }),
  ),
];
for (const item of items) await stack.dispatch(configChangeEvent(item));
for (let i = 0; i < 20; i++) await stack.dispatch(policy(i));
await stack.dispatch(group([policyArn(0)]));

// Finding ids of every identity, to count the identities a change re-evaluated.
const IDENTITY_RULES = CONTROLS.filter((c) => c.dependsOn?.includes("AWS::IAM::Policy")).map((c) => c.id);
const subjectOf = new Map<string, { id: string; type: string }>();
const policyItems = Array.from({ length: 20 }, (_, i) =>
  iamPolicyConfigurationItem({ policyName: `team-${i}`, capturedAt: at(), document: DESCRIBE }),
);
for (const s of [...items, ...policyItems].map((i) => fromConfigurationItem(i)))
  for (const rule of IDENTITY_RULES)
    subjectOf.set(`F#${findingId(rule, s)}`, { id: s.resourceId, type: s.resourceType });

const kinds: Array<{
  kind: string;
  events: () => Array<Record<string, unknown>>;
  /** Delivered once before the measured deliveries (not counted). */
  redeliver?: boolean;
}> = [
  {
    kind: "policy attached by 5 roles, new default version",
    events: () => Array.from({ length: 10 }, (_, i) => policy(i, READ_TRANSCRIPTS)),
  },
  {
    kind: "policy attached by no role (team-10…19)",
    events: () => Array.from({ length: 10 }, (_, i) => policy(10 + i, READ_TRANSCRIPTS)),
  },
  { kind: "group devs (5 users) changed", events: () => Array.from({ length: 5 }, () => group([])) },
  {
    kind: "policy attached by 5 roles, deleted",
    events: () => Array.from({ length: 3 }, (_, i) => policy(5 + i, undefined, true)),
  },
  // The same event again: the item replaces itself, so what it replaced is not known.
  {
    kind: "policy change delivered again",
    events: () => Array.from({ length: 3 }, (_, i) => policy(10 + i)),
    redeliver: true,
  },
];

const results = [];
for (const { kind, events, redeliver } of kinds) {
  const list = events();
  if (redeliver) for (const e of list) await stack.dispatch(e);
  counts = {};
  let identities = 0;
  let policies = 0;
  const t0 = performance.now();
  for (const e of list) {
    asked = new Set();
    await stack.dispatch(e);
    const subjects = new Map(
      [...asked].flatMap((pk) =>
        subjectOf.has(pk) ? [[subjectOf.get(pk)!.id, subjectOf.get(pk)!.type]] : [],
      ),
    );
    for (const type of subjects.values())
      if (type === "AWS::IAM::Policy") policies++;
      else identities++;
  }
  const ms = performance.now() - t0;
  const per = (n = 0) => +(n / list.length).toFixed(1);
  const requests = Object.entries(counts)
    .filter(([k]) => k.endsWith("Command"))
    .reduce((n, [, v]) => n + v, 0);
  results.push({
    kind,
    changes: list.length,
    rolesAndUsersReevaluatedPerChange: per(identities),
    // The changed policy's own evaluation included.
    policiesEvaluatedPerChange: per(policies),
    dynamodbRequestsPerChange: per(requests),
    findingKeysAskedPerChange: per(counts.findingKeysAsked),
    wallMsPerChange: +(ms / list.length).toFixed(1),
    requests: Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, per(v)])),
  });
}
await stack.stop();
console.log(JSON.stringify({ roles: ROLES, users: 10, policies: 20, results }, null, 2));
