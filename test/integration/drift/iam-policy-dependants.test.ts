// A managed policy or group change re-evaluates the roles and users of its account that the identity
// controls may judge differently (`iamChangeMovesIdentity`): for a policy, those whose item attaches
// it and every user in a group (a group may attach it); for a group, the users in it. Through the
// config-change handler against DynamoDB Local; the identities re-evaluated are those whose findings
// the change read (one BatchGetItem per 100 findings: `FindingRecorder`).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoFindingStore } from "../../../packages/aws/src/index.ts";
import {
  configChangeEvent,
  iamGroupConfigurationItem,
  iamPolicyConfigurationItem,
  iamRoleConfigurationItem,
  iamUserConfigurationItem,
} from "../../../packages/cli/src/demo/config-events.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import {
  allFindings,
  CONTROLS,
  findingId,
  fromConfigurationItem,
  type ResourceSnapshot,
} from "../../../packages/core/src/index.ts";
import { demoBaselineFileWithAccounts } from "../../helpers/baseline.ts";
import { recordHandlerRequests, type SentRequest } from "../../helpers/handler-requests.ts";

const ACCOUNTS = ["444400000001", "444400000002"];
const ROLES = 40;
let stack: LocalStack;
let store: DynamoFindingStore;
let stopRecording: (() => Promise<void>) | undefined;
const sent: SentRequest[] = [];

beforeAll(async () => {
  const baselineFile = demoBaselineFileWithAccounts(ACCOUNTS, "iam-dependants-");
  stack = await LocalStack.start({ baselineFile });
  store = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
  stopRecording = await recordHandlerRequests("iamDependantsRequestCounter", sent);
});
afterAll(async () => {
  await stopRecording?.();
  await stack?.stop();
});

let minute = 0;
const at = () => new Date(Date.UTC(2026, 2, 3, 9) + minute++ * 60_000).toISOString();
const doc = (...Statement: unknown[]) => ({ Version: "2012-10-17", Statement });
const BENIGN = doc({ Effect: "Allow", Action: "ec2:Describe*", Resource: "*" });
const READS_RECORDINGS = doc({
  Effect: "Allow",
  Action: "s3:GetObject",
  Resource: "arn:aws:s3:::northwind-connect-recordings/*",
});
const policyArn = (account: string, name: string) => `arn:aws:iam::${account}:policy/${name}`;

const roleItem = (account: string, i: number, attachedPolicies: string[] = []) =>
  iamRoleConfigurationItem({
    roleName: `app-${i}`,
    accountId: account,
    capturedAt: at(),
    inlinePolicies: { describe: BENIGN },
    attachedPolicies,
  });
const policyItem = (account: string, name: string, document: unknown, deleted = false) =>
  iamPolicyConfigurationItem({
    policyName: name,
    accountId: account,
    capturedAt: at(),
    document,
    ...(deleted ? { status: "ResourceDeleted" as const } : {}),
  });
const send = (item: Record<string, unknown>) => stack.dispatch(configChangeEvent(item));

const IDENTITY_CONTROLS = CONTROLS.filter((c) => c.resourceTypes.includes("AWS::IAM::Role")).map((c) => c.id);
/** The roles, users and policies whose identity-control findings the requests since the last reset read. */
function reevaluated(subjects: ResourceSnapshot[]): string[] {
  const byPk = new Map<string, string>();
  for (const s of subjects)
    for (const rule of IDENTITY_CONTROLS) byPk.set(`F#${findingId(rule, s)}`, s.resourceName ?? s.resourceId);
  const asked = sent
    .filter((r) => r.command === "BatchGetItemCommand")
    .flatMap((r) =>
      Object.values(r.input.RequestItems as Record<string, { Keys: Array<{ PK: { S: string } }> }>).flatMap(
        (t) => t.Keys.map((k) => k.PK.S),
      ),
    );
  return [...new Set(asked.flatMap((pk) => (byPk.has(pk) ? [byPk.get(pk)!] : [])))].sort();
}
const step = async (subjects: ResourceSnapshot[], change: () => Promise<unknown>) => {
  sent.length = 0;
  await change();
  return reevaluated(subjects);
};
const findingsOf = async (account: string, rule: string) =>
  new Map(
    (await allFindings(store, { accountId: account }))
      .filter((f) => f.ruleId === rule)
      .map((f) => [f.subject.resourceId, f]),
  );

describe("config-change: a managed policy or group change re-evaluates the identities that may read it", () => {
  it(`re-evaluates the ${ROLES} roles' few that attach the policy, and the users in groups — not every role`, async () => {
    const account = ACCOUNTS[0]!;
    const P = policyArn(account, "shared-read");
    // Roles 0–2 attach P; the others do not. dana is in devs (which attaches P), erin in ops (which
    // does not), fay in no group and attaches P herself, gus in none.
    const roles = Array.from({ length: ROLES }, (_, i) => roleItem(account, i, i < 3 ? [P] : []));
    const users = [
      iamUserConfigurationItem({ userName: "dana", accountId: account, capturedAt: at(), groups: ["devs"] }),
      iamUserConfigurationItem({ userName: "erin", accountId: account, capturedAt: at(), groups: ["ops"] }),
      iamUserConfigurationItem({
        userName: "fay",
        accountId: account,
        capturedAt: at(),
        attachedPolicies: [P],
      }),
      iamUserConfigurationItem({ userName: "gus", accountId: account, capturedAt: at() }),
    ];
    const others = ["audit-read", "ci-deploy"].map((n) => policyItem(account, n, BENIGN));
    const groups = [
      iamGroupConfigurationItem({
        groupName: "devs",
        accountId: account,
        capturedAt: at(),
        attachedPolicies: [P],
      }),
      iamGroupConfigurationItem({ groupName: "ops", accountId: account, capturedAt: at() }),
    ];
    for (const item of [...roles, ...users, ...others, ...groups]) await send(item);
    const subjects = [...roles, ...users, ...others].map((i) => fromConfigurationItem(i));

    const attaching = ["app-0", "app-1", "app-2", "dana", "erin", "fay"];
    // First record of P: the identities that attach it, and the users in a group; no other role and
    // no other policy (on main: every role, every user and every other policy of the account).
    expect(await step(subjects, () => send(policyItem(account, "shared-read", BENIGN)))).toEqual(attaching);
    // A new default version granting the recordings: the same identities, whose findings open.
    expect(await step(subjects, () => send(policyItem(account, "shared-read", READS_RECORDINGS)))).toEqual(
      attaching,
    );
    const rawReaders = await findingsOf(account, "iam-raw-readers-designated");
    const statusOf = (s: ResourceSnapshot) => rawReaders.get(s.resourceId)?.status;
    expect(subjects.filter((s) => statusOf(s) === "OPEN").map((s) => s.resourceName)).toEqual([
      "app-0",
      "app-1",
      "app-2",
      "dana",
      "fay",
    ]);
    // A policy nobody attaches: only the users in a group (a group may attach it).
    expect(await step(subjects, () => send(policyItem(account, "unused", READS_RECORDINGS)))).toEqual([
      "dana",
      "erin",
    ]);
    // A group change: its users only; never a role.
    expect(
      await step(subjects, () =>
        send(iamGroupConfigurationItem({ groupName: "devs", accountId: account, capturedAt: at() })),
      ),
    ).toEqual(["dana"]);
    expect(
      (await findingsOf(account, "iam-raw-readers-designated")).get(subjects[ROLES]!.resourceId)?.status,
    ).toBe("RESOLVED");
    // P deleted: those that attached it (their verdicts now say the policy is missing).
    expect(await step(subjects, () => send(policyItem(account, "shared-read", undefined, true)))).toEqual(
      attaching,
    );
    const afterDelete = await findingsOf(account, "iam-raw-readers-designated");
    for (const s of [subjects[0]!, subjects[ROLES + 2]!]) {
      expect(afterDelete.get(s.resourceId)?.status).toBe("OPEN");
      expect(afterDelete.get(s.resourceId)?.evidence.missingPolicies).toEqual([P]);
    }
  });

  it("a redelivered change (what it replaced not known) re-evaluates every role and user", async () => {
    const account = ACCOUNTS[1]!;
    const roles = Array.from({ length: 12 }, (_, i) =>
      roleItem(account, i, i === 0 ? [policyArn(account, "p")] : []),
    );
    const user = iamUserConfigurationItem({ userName: "hal", accountId: account, capturedAt: at() });
    for (const item of [...roles, user]) await send(item);
    const subjects = [...roles, user].map((i) => fromConfigurationItem(i));
    const change = configChangeEvent(policyItem(account, "p", BENIGN));
    sent.length = 0;
    await stack.dispatch(change);
    expect(reevaluated(subjects)).toEqual(["app-0"]);
    // The same event again: the item replaces itself, so what the first delivery replaced is unknown.
    sent.length = 0;
    await stack.dispatch(change);
    expect(reevaluated(subjects)).toHaveLength(13);
  });
});
