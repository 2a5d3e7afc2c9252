// Which roles and users a managed policy or group change re-evaluates (the identity controls'
// `affectedBy`, `iamChangeMovesIdentity`): the identities whose item names the policy (attached or as
// boundary), by its replaced or new item's resource id or ARN, and every user in a group (a group may
// attach it: the group's item is not seen); for a group, the users whose groupList names its replaced
// or new name; every identity when what the change replaced is not known. The property test checks the
// rule against the four controls themselves, with facts resolved as the drift service resolves them
// (`resolveFacts` over an inventory): an identity whose verdict (status, summary, evidence) differs
// between the inventory before and after the change is always re-evaluated. Mutations of the rule
// (each a plausible mistake) must fail it, so it is not vacuous.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type InventoryReader, resolveFacts } from "../../../../packages/aws/src/facts.ts";
import {
  CONTROLS,
  ControlSet,
  evaluateSnapshot,
  factRequests,
  fromConfigurationItem,
  type PreviousSnapshot,
  type ResourceSnapshot,
} from "../../../../packages/core/src/index.ts";
import { iamChangeMovesIdentity } from "../../../../packages/core/src/policy/index.ts";
import { ACCT, testBaseline } from "../s3/support.ts";

const IAM = CONTROLS.filter((c) => c.id.startsWith("iam-"));
const iam = (rest: string, account = ACCT) => `arn:aws:iam::${account}:${rest}`;
const fixture = (name: string) =>
  JSON.parse(readFileSync(`test/fixtures/config/rdk__AWS_IAM_${name}.json`, "utf8")) as Record<
    string,
    unknown
  >;
const ROLE_ITEM = fixture("Role");
const USER_ITEM = fixture("User");
const POLICY_ITEM = fixture("Policy");
let tick = 0;
/** A Config item in a real sample's envelope (role and policy: `arn`; user and group: `ARN`), normalised. */
function item(
  base: Record<string, unknown>,
  o: {
    type: string;
    id: string;
    name?: string;
    arn?: string;
    configuration?: Record<string, unknown>;
    deleted?: boolean;
    account?: string;
  },
): ResourceSnapshot {
  const arnKey = "ARN" in base ? "ARN" : "arn";
  const { ARN: _a, arn: _b, ...rest } = base;
  return fromConfigurationItem({
    ...rest,
    ...(o.arn === undefined ? {} : { [arnKey]: o.arn }),
    awsAccountId: o.account ?? ACCT,
    accountId: undefined,
    resourceType: o.type,
    resourceId: o.id,
    resourceName: o.name ?? null,
    relationships: [],
    configurationItemCaptureTime: new Date(Date.UTC(2026, 0, 1) + tick++ * 1000).toISOString(),
    configurationItemStatus: o.deleted ? "ResourceDeleted" : "OK",
    configuration: o.deleted ? null : { ...(o.configuration ?? {}) },
  });
}
const enc = (d: unknown) => encodeURIComponent(JSON.stringify(d));
const doc = (...Statement: unknown[]) => ({ Version: "2012-10-17", Statement });

function policy(
  id: string,
  arn: string,
  document: unknown,
  opts: { deleted?: boolean; topArn?: boolean } = {},
): ResourceSnapshot {
  const name = arn.split("/").pop()!;
  return item(POLICY_ITEM, {
    type: "AWS::IAM::Policy",
    id,
    name,
    ...(opts.topArn === false ? {} : { arn }),
    ...(opts.deleted ? { deleted: true } : {}),
    configuration: {
      policyName: name,
      policyId: id,
      arn,
      path: "/",
      defaultVersionId: "v1",
      attachmentCount: 1,
      isAttachable: true,
      policyVersionList:
        document === undefined
          ? []
          : [
              {
                document: typeof document === "string" ? document : enc(document),
                versionId: "v1",
                isDefaultVersion: true,
              },
            ],
    },
  });
}
function group(
  id: string,
  name: string,
  o: { inline?: unknown[]; attached?: string[]; deleted?: boolean } = {},
): ResourceSnapshot {
  return item(USER_ITEM, {
    type: "AWS::IAM::Group",
    id,
    name,
    arn: iam(`group/${name}`),
    ...(o.deleted ? { deleted: true } : {}),
    configuration: {
      path: "/",
      groupName: name,
      groupId: id,
      arn: iam(`group/${name}`),
      groupPolicyList: (o.inline ?? []).map((d, i) => ({ policyName: `g${i}`, policyDocument: enc(d) })),
      attachedManagedPolicies: (o.attached ?? []).map((a) => ({
        policyName: a.split("/").pop(),
        policyArn: a,
      })),
    },
  });
}
interface IdentityShape {
  attached?: string[];
  boundary?: string;
  inline?: unknown[];
  groups?: readonly unknown[];
  account?: string;
}
function role(name: string, o: IdentityShape = {}): ResourceSnapshot {
  const arn = iam(`role/${name}`, o.account);
  return item(ROLE_ITEM, {
    type: "AWS::IAM::Role",
    id: `AROA${name.toUpperCase()}`,
    name,
    arn,
    ...(o.account ? { account: o.account } : {}),
    configuration: {
      path: "/",
      roleName: name,
      roleId: `AROA${name.toUpperCase()}`,
      arn,
      assumeRolePolicyDocument: enc(
        doc({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }),
      ),
      instanceProfileList: [],
      rolePolicyList: (o.inline ?? []).map((d, i) => ({ policyName: `r${i}`, policyDocument: enc(d) })),
      attachedManagedPolicies: (o.attached ?? []).map((a) => ({
        policyName: a.split("/").pop(),
        policyArn: a,
      })),
      ...(o.boundary
        ? { permissionsBoundary: { permissionsBoundaryType: "Policy", permissionsBoundaryArn: o.boundary } }
        : {}),
    },
  });
}
function user(name: string, o: IdentityShape = {}): ResourceSnapshot {
  const arn = iam(`user/${name}`, o.account);
  return item(USER_ITEM, {
    type: "AWS::IAM::User",
    id: `AIDA${name.toUpperCase()}`,
    name,
    arn,
    ...(o.account ? { account: o.account } : {}),
    configuration: {
      path: "/",
      userName: name,
      userId: `AIDA${name.toUpperCase()}`,
      arn,
      userPolicyList: (o.inline ?? []).map((d, i) => ({ policyName: `u${i}`, policyDocument: enc(d) })),
      groupList: o.groups ?? [],
      attachedManagedPolicies: (o.attached ?? []).map((a) => ({
        policyName: a.split("/").pop(),
        policyArn: a,
      })),
      ...(o.boundary
        ? { permissionsBoundary: { permissionsBoundaryType: "Policy", permissionsBoundaryArn: o.boundary } }
        : {}),
    },
  });
}

const P1 = { id: "ANPAP1000000000000001", arn: iam("policy/p1") };
const P2 = { id: "ANPAP2000000000000002", arn: iam("policy/team/p2") };
const ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";
const READ_PHI = doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::phi-recordings/*" });
const BENIGN = doc({ Effect: "Allow", Action: "ec2:Describe*", Resource: "*" });

type Rule = (identity: ResourceSnapshot, changed: ResourceSnapshot, previous: PreviousSnapshot) => boolean;
/** What each identity control answers (they share one rule: all four must agree). */
function moves(identity: ResourceSnapshot, changed: ResourceSnapshot, previous: PreviousSnapshot): boolean {
  const answers = IAM.map((c) => c.affectedBy!(identity, changed, previous));
  expect(new Set(answers).size, "the four identity controls answer alike").toBe(1);
  return answers[0]!;
}

describe("identity controls: the roles and users a managed policy or group change re-evaluates", () => {
  it("each identity control narrows policy and group changes (the drift service re-evaluates all of a type without it)", () => {
    expect(IAM.map((c) => c.id).sort()).toEqual([
      "iam-analytics-no-raw-audio",
      "iam-no-phi-delete",
      "iam-no-wildcard-on-phi",
      "iam-raw-readers-designated",
    ]);
    for (const c of IAM) {
      expect(c.dependsOn).toEqual(["AWS::IAM::Policy", "AWS::IAM::Group"]);
      expect(c.affectedBy).toBe(iamChangeMovesIdentity);
    }
  });

  const p1 = policy(P1.id, P1.arn, READ_PHI);
  const p1Benign = policy(P1.id, P1.arn, BENIGN);
  const identities: Record<string, ResourceSnapshot> = {
    "role attaching p1": role("app", { attached: [P1.arn] }),
    "role attaching p2": role("etl", { attached: [P2.arn, ADMIN] }),
    "role bounded by p1": role("bounded", { boundary: P1.arn }),
    "role naming p1 by its policy id": role("byid", { attached: [P1.id] }),
    "role with neither": role("plain", { inline: [READ_PHI] }),
    "user attaching p1": user("alice", { attached: [P1.arn] }),
    "user in group devs": user("bob", { groups: ["devs"] }),
    "user in group ops": user("carol", { groups: ["ops"] }),
    "user with no group": user("dave"),
    "user with a non-string groupList entry only": user("erin", { groups: [7] }),
    "role attaching p1 in another account": role("app", { attached: [P1.arn], account: "444455556666" }),
  };
  const all = Object.keys(identities);
  const selected = (changed: ResourceSnapshot, previous: PreviousSnapshot, rule: Rule = moves) =>
    all.filter((k) => rule(identities[k]!, changed, previous));
  const policyUsers = ["user in group devs", "user in group ops"];

  it.each<[string, ResourceSnapshot, PreviousSnapshot, string[]]>([
    [
      "first record of p1: the identities naming it, and every user in a group",
      p1,
      null,
      [
        "role attaching p1",
        "role bounded by p1",
        "role naming p1 by its policy id",
        "user attaching p1",
        ...policyUsers,
      ],
    ],
    [
      "p1's default version replaced",
      p1Benign,
      p1,
      [
        "role attaching p1",
        "role bounded by p1",
        "role naming p1 by its policy id",
        "user attaching p1",
        ...policyUsers,
      ],
    ],
    [
      "p1 deleted: those that named it (now missing)",
      policy(P1.id, P1.arn, undefined, { deleted: true }),
      p1,
      [
        "role attaching p1",
        "role bounded by p1",
        "role naming p1 by its policy id",
        "user attaching p1",
        ...policyUsers,
      ],
    ],
    [
      "deleted over a deletion: only users in a group",
      policy(P1.id, P1.arn, undefined, { deleted: true }),
      policy(P1.id, P1.arn, undefined, { deleted: true }),
      policyUsers,
    ],
    [
      "the replaced item had another ARN (a re-pathed item): the identities naming either",
      policy(P2.id, P2.arn, BENIGN),
      policy(P2.id, P1.arn, BENIGN),
      ["role attaching p1", "role attaching p2", "role bounded by p1", "user attaching p1", ...policyUsers],
    ],
    [
      "an item without a top-level ARN: found by its id, matched by its configuration's ARN too",
      policy(P1.id, P1.arn, BENIGN, { topArn: false }),
      null,
      [
        "role attaching p1",
        "role bounded by p1",
        "role naming p1 by its policy id",
        "user attaching p1",
        ...policyUsers,
      ],
    ],
    [
      "an item recorded for an AWS-managed ARN: the identities attaching that ARN",
      policy("ANPAADMIN00000000000", ADMIN, BENIGN),
      null,
      ["role attaching p2", ...policyUsers],
    ],
    [
      "what p1 replaced unknown (a retry): every role and user of the account",
      p1,
      undefined,
      all.slice(0, -1),
    ],
  ])("policy change, %s", (_, changed, previous, expected) => {
    expect(selected(changed, previous)).toEqual(expected);
  });

  const devs = group("AGPADEVS000000000001", "devs", { attached: [P1.arn] });
  it.each<[string, ResourceSnapshot, PreviousSnapshot, string[]]>([
    ["first record of devs: its users", devs, null, ["user in group devs"]],
    [
      "devs' policies changed: its users",
      group(devs.resourceId, "devs", { inline: [READ_PHI] }),
      devs,
      ["user in group devs"],
    ],
    [
      "devs renamed ops: the users naming either name",
      group(devs.resourceId, "ops"),
      devs,
      ["user in group devs", "user in group ops"],
    ],
    [
      "devs deleted: its users (now missing)",
      group(devs.resourceId, "devs", { deleted: true }),
      devs,
      ["user in group devs"],
    ],
    [
      "a deleted group over a deletion: none",
      group(devs.resourceId, "devs", { deleted: true }),
      group(devs.resourceId, "devs", { deleted: true }),
      [],
    ],
    [
      "what devs replaced unknown (a retry): every user of the account, no role",
      devs,
      undefined,
      [
        "user attaching p1",
        "user in group devs",
        "user in group ops",
        "user with no group",
        "user with a non-string groupList entry only",
      ],
    ],
  ])("group change, %s", (_, changed, previous, expected) => {
    expect(selected(changed, previous)).toEqual(expected);
  });

  it("never another managed policy (its verdict reads its own item only), even when the change is not known", () => {
    const p2 = policy(P2.id, P2.arn, READ_PHI);
    expect(moves(p2, p1, undefined)).toBe(false);
    expect(moves(p2, devs, undefined)).toBe(false);
  });

  it("any other changed type: every identity (only policies and groups are narrowed)", () => {
    const trail = item(POLICY_ITEM, { type: "AWS::CloudTrail::Trail", id: "t", arn: "arn:aws:cloudtrail:x" });
    expect(selected(trail, null)).toEqual(all);
  });
});

// ——— Soundness against the controls: a verdict that moves is always re-evaluated ———

const REFS = [
  P1.arn,
  P2.arn,
  iam("policy/old/p1"),
  P1.id,
  ADMIN,
  "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
];
const DOCS: unknown[] = [
  READ_PHI,
  BENIGN,
  doc({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::phi-recordings/*" }),
  doc({ Effect: "Allow", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::phi-*/*" }),
  doc({ Effect: "Allow", Action: "kms:*", Resource: "*" }),
  doc({ Effect: "Deny", Action: "s3:*", Resource: "*" }),
  "%7Bnot a policy",
  undefined, // no default version recorded
];
const GROUP_NAMES = ["devs", "ops", "developers", "ghost"];
const POLICY_SLOTS = [
  { id: P1.id, arns: [P1.arn, iam("policy/old/p1")] },
  // Two present items may hold one ARN (a policy deleted and created again, the old item not yet marked).
  { id: P2.id, arns: [P2.arn, P1.arn] },
  { id: "ANPAADMIN00000000000", arns: [ADMIN] },
];
const GROUP_SLOTS = [
  { id: "AGPAG1000000000000001", names: ["devs", "developers"] },
  { id: "AGPAG2000000000000002", names: ["ops", "devs"] },
];
const policyState = (slot: (typeof POLICY_SLOTS)[number]) =>
  fc
    .record({
      deleted: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
      arn: fc.constantFrom(...slot.arns),
      document: fc.constantFrom(...DOCS),
      topArn: fc.integer({ min: 0, max: 5 }).map((n) => n !== 0),
    })
    .map((p) => policy(slot.id, p.arn, p.document, { deleted: p.deleted, topArn: p.topArn }));
const groupState = (slot: (typeof GROUP_SLOTS)[number]) =>
  fc
    .record({
      deleted: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
      name: fc.constantFrom(...slot.names),
      inline: fc.array(fc.constantFrom(...DOCS.filter((d) => typeof d === "object")), { maxLength: 1 }),
      attached: fc.uniqueArray(fc.constantFrom(...REFS), { maxLength: 2 }),
    })
    .map((g) => group(slot.id, g.name, g));
const identityShape = (kind: "role" | "user") =>
  fc.record({
    attached: fc.uniqueArray(fc.constantFrom(...REFS), { maxLength: 2 }),
    boundary: fc.option(fc.constantFrom(...REFS), { nil: undefined, freq: 4 }),
    inline: fc.array(fc.constantFrom(...DOCS.filter((d) => typeof d === "object")), { maxLength: 1 }),
    groups:
      kind === "user" ? fc.uniqueArray(fc.constantFrom(...GROUP_NAMES), { maxLength: 2 }) : fc.constant([]),
  });
const IDENTITIES: Array<{ kind: "role" | "user"; name: string }> = [
  { kind: "role", name: "analytics" },
  { kind: "role", name: "app" },
  { kind: "role", name: "qa" },
  { kind: "user", name: "alice" },
  { kind: "user", name: "bob" },
  { kind: "user", name: "carol" },
];
const baseline = testBaseline({
  principals: {
    analytics: [iam("role/analytics"), iam("user/alice")],
    rawReaders: [iam("role/qa")],
    operators: [],
  },
});
const set = new ControlSet(IAM);
const NOW = new Date("2026-02-01T00:00:00Z");

/** The inventory as the store lists it: present items only, by account and type. */
function reader(items: ResourceSnapshot[]): InventoryReader {
  return {
    list: async (accountId, type) =>
      items.filter((s) => s.accountId === accountId && s.resourceType === type && s.state === "present"),
    get: async () => undefined,
  };
}
/** Each identity control's verdict on a snapshot, facts resolved as the drift service resolves them. */
async function verdicts(s: ResourceSnapshot, inventory: InventoryReader): Promise<Map<string, string>> {
  const facts = await resolveFacts(factRequests(set, s, baseline, NOW), { inventory });
  return new Map(
    evaluateSnapshot(set, s, { baseline, facts, now: NOW }).map((e) => [
      e.controlId,
      JSON.stringify([e.status, e.summary, e.evidence]),
    ]),
  );
}

const world = fc.record({
  kind: fc.constantFrom("policy" as const, "group" as const),
  slot: fc.nat(),
  policies: fc.tuple(...POLICY_SLOTS.map((s) => fc.option(policyState(s), { nil: undefined }))),
  groups: fc.tuple(...GROUP_SLOTS.map((s) => fc.option(groupState(s), { nil: undefined }))),
  identities: fc.tuple(...IDENTITIES.map((i) => identityShape(i.kind))),
});

interface Tally {
  moved: number;
  byDirectRef: number;
  byGroupOfUser: number;
  byGroupChange: number;
  spared: number;
}

/**
 * A counterexample to the rule's soundness over generated worlds, or none. Each run: an account's
 * policies and groups, one of them changed (replacing an item, or nothing), and roles and users; every
 * identity's four verdicts before and after.
 */
async function check(rule: Rule, numRuns: number, tally?: Tally) {
  const change = world.chain((w) => {
    const slots = w.kind === "policy" ? POLICY_SLOTS : GROUP_SLOTS;
    const i = w.slot % slots.length;
    const state = w.kind === "policy" ? policyState(POLICY_SLOTS[i]!) : groupState(GROUP_SLOTS[i]!);
    return fc.record({
      w: fc.constant(w),
      i: fc.constant(i),
      previous: fc.option(state, { nil: null, freq: 4 }),
      next: state,
    });
  });
  return fc.check(
    fc.asyncProperty(change, async ({ w, i, previous, next }) => {
      const others = [
        ...w.policies.filter((p, j) => p && !(w.kind === "policy" && j === i)),
        ...w.groups.filter((g, j) => g && !(w.kind === "group" && j === i)),
      ] as ResourceSnapshot[];
      const before = reader([...others, ...(previous ? [previous] : [])]);
      const after = reader([...others, next]);
      const subjects = [
        ...IDENTITIES.map((id, j) =>
          id.kind === "role" ? role(id.name, w.identities[j]!) : user(id.name, w.identities[j]!),
        ),
        // A managed policy is a subject of iam-no-wildcard-on-phi too.
        ...others.filter((s) => s.resourceType === "AWS::IAM::Policy" && s.state === "present"),
      ];
      for (const s of subjects) {
        const [a, b] = [await verdicts(s, before), await verdicts(s, after)];
        const movedHere = [...a.keys()].some((k) => a.get(k) !== b.get(k));
        const selected = rule(s, next, previous);
        if (tally && !selected) tally.spared++;
        if (!movedHere) continue;
        if (!selected) return false;
        if (tally) {
          tally.moved++;
          if (next.resourceType === "AWS::IAM::Group") tally.byGroupChange++;
          else if (
            iamChangeMovesIdentity(
              { ...s, configuration: { ...s.configuration, groupList: [] } },
              next,
              previous,
            )
          )
            tally.byDirectRef++;
          else tally.byGroupOfUser++;
        }
      }
      return true;
    }),
    { numRuns, seed: 20261126, endOnFailure: true },
  );
}

describe("iamChangeMovesIdentity is sound", () => {
  it("re-evaluates every role, user and policy whose identity-control verdict the change moves", async () => {
    const tally: Tally = { moved: 0, byDirectRef: 0, byGroupOfUser: 0, byGroupChange: 0, spared: 0 };
    const r = await check(iamChangeMovesIdentity, 1000, tally);
    expect(r.failed, r.failed ? fc.defaultReportMessage(r) : "").toBe(false);
    // Not vacuous: verdicts move through each path, and many identities are spared.
    expect(tally.byDirectRef).toBeGreaterThan(300);
    expect(tally.byGroupOfUser).toBeGreaterThan(15);
    expect(tally.byGroupChange).toBeGreaterThan(150);
    expect(tally.spared).toBeGreaterThan(3000);
  }, 60_000);

  // Each a plausible mistake: the property must catch it.
  const policyUsersOnly = (s: ResourceSnapshot) => ({
    ...s,
    configuration: { ...s.configuration, groupList: [] },
  });
  it.each<[string, Rule]>([
    [
      "ignoring what the change replaced (a deleted policy or a renamed group)",
      (s, changed, previous) => iamChangeMovesIdentity(s, changed, previous === undefined ? undefined : null),
    ],
    [
      "forgetting the users whose group attaches the policy",
      (s, changed, previous) =>
        changed.resourceType === "AWS::IAM::Policy"
          ? iamChangeMovesIdentity(policyUsersOnly(s), changed, previous)
          : iamChangeMovesIdentity(s, changed, previous),
    ],
    [
      "forgetting the permissions boundary",
      (s, changed, previous) =>
        iamChangeMovesIdentity(
          { ...s, configuration: { ...s.configuration, permissionsBoundary: null } },
          changed,
          previous,
        ),
    ],
    [
      "matching a policy by ARN only (the lookup also finds it by resource id)",
      (s, changed, previous) =>
        iamChangeMovesIdentity(
          s,
          { ...changed, resourceId: "-" },
          previous ? { ...previous, resourceId: "-" } : previous,
        ),
    ],
  ])(
    "a rule %s fails it",
    async (_, mutant) => {
      const r = await check(mutant, 300);
      expect(r.failed).toBe(true);
      expect(String(r.errorInstance)).toMatch(/returning false/);
    },
    60_000,
  );
});
