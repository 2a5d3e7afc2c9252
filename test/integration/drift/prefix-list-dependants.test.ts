// A prefix list's entries change without the security groups that use it changing: the config-change
// handler re-evaluates the groups that name the list (sg-no-open-admin's dependsOn + affectedBy), so
// 0.0.0.0/0 added to a list used on SSH is a finding at once, not at the next sweep.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoFindingStore, InventoryStore, processSnapshot } from "../../../packages/aws/src/index.ts";
import { configChangeEvent } from "../../../packages/cli/src/demo/config-events.ts";
import { LOCAL_NAMES, LocalStack } from "../../../packages/cli/src/local/stack.ts";
import {
  CONTROLS,
  ControlSet,
  fromConfigurationItem,
  parseBaseline,
} from "../../../packages/core/src/index.ts";

const ACCOUNT = "111122223333";
const OFFICE = "pl-09f8e7d6c5b4a3921";
const json = (p: string) => JSON.parse(readFileSync(p, "utf8"));

/** A Config item of the API shape (fixtures) in the EventBridge event's shape, in our account. */
function eventItem(ci: Record<string, unknown>, capturedAt: string): Record<string, unknown> {
  const { accountId: _a, arn, version, ...rest } = ci;
  return {
    ...rest,
    awsAccountId: ACCOUNT,
    ARN: String(arn).replace(String(ci.accountId), ACCOUNT),
    configurationItemVersion: version,
    configurationItemCaptureTime: capturedAt,
  };
}
/** The office list (10.20.0.0/16, 192.168.100.0/24), plus entries. */
function officeList(capturedAt: string, extra: string[] = []) {
  const ci = json("test/fixtures/config/awsdocs-schema__AWS_EC2_PrefixList_ssh_sources.json")[1];
  ci.configuration.Entries.push(...extra.map((Cidr) => ({ Cidr, Description: "added" })));
  return configChangeEvent(eventItem(ci, capturedAt));
}
/** The RDK group with its tcp/22 rule from the given sources. */
function group(id: string, capturedAt: string, sources: { lists?: string[]; cidrs?: string[] }) {
  const ci = json("test/fixtures/config/rdk__AWS_EC2_SecurityGroup.json");
  ci.resourceId = id;
  ci.arn = `arn:aws:ec2:us-east-1:264683526309:security-group/${id}`;
  ci.configuration.groupId = id;
  const [rule] = ci.configuration.ipPermissions;
  rule.ipRanges = sources.cidrs ?? [];
  rule.prefixListIds = (sources.lists ?? []).map((prefixListId) => ({ prefixListId }));
  return configChangeEvent(eventItem(ci, capturedAt));
}

let stack: LocalStack;
let store: DynamoFindingStore;

beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml" });
  store = new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table);
});
afterAll(async () => {
  await stack?.stop();
});

const finding = async (groupId: string) =>
  (await store.listFindings({ ruleId: "sg-no-open-admin" })).items.find(
    (f) => f.subject.resourceId === groupId,
  );

describe("a prefix list change re-evaluates the security groups that use it", () => {
  it("opens a proven finding on the group when 0.0.0.0/0 is added to its SSH list", async () => {
    expect(await stack.dispatch(officeList("2026-03-01T10:00:00.000Z"))).toEqual(["config-change"]);
    await stack.dispatch(group("sg-0aaa1111bbbb2222c", "2026-03-01T10:05:00.000Z", { lists: [OFFICE] }));
    // A group that does not use the list, already failing on its own 0.0.0.0/0.
    await stack.dispatch(group("sg-0ddd3333eeee4444f", "2026-03-01T10:06:00.000Z", { cidrs: ["0.0.0.0/0"] }));
    expect(await finding("sg-0aaa1111bbbb2222c")).toBeUndefined(); // private ranges only: compliant
    const unrelated = await finding("sg-0ddd3333eeee4444f");
    expect(unrelated?.status).toBe("OPEN");

    await stack.dispatch(officeList("2026-03-02T08:00:00.000Z", ["0.0.0.0/0"]));
    const f = await finding("sg-0aaa1111bbbb2222c");
    expect(f).toMatchObject({ status: "OPEN", summary: "ingress from the internet to SSH (22)" });
    expect(f!.evidence.proof).toBeUndefined();
    expect(f!.evidence.openRules).toEqual([
      expect.objectContaining({ cidr: "0.0.0.0/0", prefixListId: OFFICE }),
    ]);
    const [opened] = await store.findingHistory(f!.findingId);
    expect(opened!.cause).toMatch(/^dependency:AWS::EC2::PrefixList:/);
    // The group that does not name the list was not re-evaluated.
    expect((await finding("sg-0ddd3333eeee4444f"))!.lastSeen).toBe(unrelated!.lastSeen);
  });

  it("re-evaluates only the groups that name the list, not every group of the account", async () => {
    const deps = {
      baseline: parseBaseline(readFileSync("examples/baseline.yaml", "utf8")),
      controls: new ControlSet(CONTROLS),
      inventory: new InventoryStore(stack.ddb, LOCAL_NAMES.table),
      findings: store,
    };
    const item = (
      officeList("2026-03-02T09:00:00.000Z", ["0.0.0.0/0"]) as { detail: { configurationItem: object } }
    ).detail.configurationItem;
    const outcome = await processSnapshot(deps, fromConfigurationItem(item as never), "test-list-change");
    expect(outcome.stale).toBe(false);
    // Two groups are in the inventory; one names the list.
    expect(outcome.dependants).toBe(1);
  });

  it("resolves the finding when the list is fixed", async () => {
    await stack.dispatch(officeList("2026-03-03T08:00:00.000Z"));
    expect((await finding("sg-0aaa1111bbbb2222c"))?.status).toBe("RESOLVED");
  });
});

describe("AWS's own prefix lists in local mode (no EC2 endpoint)", () => {
  it("cannot prove SSH from AWS's EC2 Instance Connect list, never passes it, and says why", async () => {
    // pl-0e4bcff02b13bef1e is us-east-1's EC2 Instance Connect list in the recorded answer; offline it
    // is never read, so the group stays what it was before phiwatch read AWS's lists.
    await stack.dispatch(
      group("sg-0eee5555aaaa6666b", "2026-03-04T10:00:00.000Z", { lists: ["pl-0e4bcff02b13bef1e"] }),
    );
    const f = await finding("sg-0eee5555aaaa6666b");
    expect(f).toMatchObject({ status: "OPEN", severity: "high" });
    expect(f!.evidence.proof).toBe("cannot prove");
    expect(f!.evidence.unknown).toEqual([
      "prefix list pl-0e4bcff02b13bef1e (not recorded in the group's account and region; no EC2 access in local mode: AWS-managed prefix lists not read)",
    ]);
  });
});
