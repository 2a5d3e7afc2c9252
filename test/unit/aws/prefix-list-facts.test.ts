// AWS-managed prefix list facts: DescribeManagedPrefixLists (owner AWS) in the group's own account and
// region, read once per account and region for every list a batch asks about, cached, and never a
// value when the read failed or could not be made (local mode).
import { readFileSync } from "node:fs";
import { DescribeManagedPrefixListsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { clearFactCache, type InventoryReader, resolveFacts } from "../../../packages/aws/src/facts.ts";
import type { FactRequest } from "../../../packages/core/src/index.ts";

const ACCT = "111122223333";
const MEMBER = "444455556666";
/** The recorded-shape response of AWS's lists in us-east-1 (test/fixtures/README.md). */
const PAGE = JSON.parse(
  readFileSync("test/fixtures/api/awsdocs-schema__ec2.DescribeManagedPrefixLists_owner_AWS.json", "utf8"),
).data;
const EIC = "pl-0e4bcff02b13bef1e";
const S3 = "pl-63a5400a";
const OWN = "pl-0a1b2c3d4e5f60718"; // a customer-managed list: not in AWS's

const noInventory: InventoryReader = { list: async () => [], get: async () => undefined };
const request = (ref: string, accountId = ACCT, region = "us-east-1"): FactRequest => ({
  kind: "aws-prefix-list",
  ref,
  accountId,
  region,
});

const ec2 = new EC2Client({ region: "us-east-1" });
const mock = mockClient(ec2);
const ec2For = () => ec2;

beforeEach(() => {
  clearFactCache();
  mock.reset();
});

describe("resolveFacts: AWS-managed prefix lists", () => {
  it("names a list's owner and name as EC2 returns them, from one read of AWS's lists per account and region", async () => {
    mock.on(DescribeManagedPrefixListsCommand).resolves(PAGE);
    const facts = await resolveFacts([request(EIC), request(S3), request(OWN)], {
      inventory: noInventory,
      ec2For,
    });
    expect(facts.awsManagedPrefixList!(EIC, ACCT, "us-east-1")).toEqual({
      ok: true,
      value: {
        prefixListId: EIC,
        prefixListName: "com.amazonaws.us-east-1.ec2-instance-connect",
        ownerId: "AWS",
      },
    });
    expect(facts.awsManagedPrefixList!(S3, ACCT, "us-east-1")).toMatchObject({
      ok: true,
      value: { prefixListName: "com.amazonaws.us-east-1.s3" },
    });
    expect(facts.awsManagedPrefixList!(OWN, ACCT, "us-east-1")).toEqual({
      ok: false,
      reason: "not an AWS-managed prefix list of us-east-1",
    });
    const calls = mock.commandCalls(DescribeManagedPrefixListsCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input.Filters).toEqual([{ Name: "owner-id", Values: ["AWS"] }]);
  });

  it("reads every page", async () => {
    const [first, ...rest] = PAGE.PrefixLists;
    mock
      .on(DescribeManagedPrefixListsCommand)
      .resolvesOnce({ PrefixLists: [first], NextToken: "t1" })
      .resolvesOnce({ PrefixLists: rest });
    const facts = await resolveFacts([request(EIC)], { inventory: noInventory, ec2For });
    expect(facts.awsManagedPrefixList!(EIC, ACCT, "us-east-1")).toMatchObject({ ok: true });
    const calls = mock.commandCalls(DescribeManagedPrefixListsCommand);
    expect(calls.map((c) => c.args[0].input.NextToken)).toEqual([undefined, "t1"]);
  });

  it("says why, and never answers, when the read fails", async () => {
    const denied = Object.assign(new Error("You are not authorized to perform this operation."), {
      name: "UnauthorizedOperation",
    });
    mock.on(DescribeManagedPrefixListsCommand).rejects(denied);
    const facts = await resolveFacts([request(EIC)], { inventory: noInventory, ec2For });
    expect(facts.awsManagedPrefixList!(EIC, ACCT, "us-east-1")).toEqual({
      ok: false,
      reason: "DescribeManagedPrefixLists failed: UnauthorizedOperation",
    });
  });

  it("says so offline (no EC2 endpoint) and where phiwatch cannot enter the account", async () => {
    const offline = await resolveFacts([request(EIC)], { inventory: noInventory });
    expect(offline.awsManagedPrefixList!(EIC, ACCT, "us-east-1")).toEqual({
      ok: false,
      reason: "no EC2 access in local mode: AWS-managed prefix lists not read",
    });
    const outside = await resolveFacts([request(EIC, MEMBER)], {
      inventory: noInventory,
      ec2For: () => undefined,
    });
    expect(outside.awsManagedPrefixList!(EIC, MEMBER, "us-east-1")).toEqual({
      ok: false,
      reason: `no EC2 access to account ${MEMBER}`,
    });
    expect(mock.commandCalls(DescribeManagedPrefixListsCommand)).toHaveLength(0);
  });

  it("asks each account's client in the group's region", async () => {
    const asked: string[] = [];
    mock.on(DescribeManagedPrefixListsCommand).resolves(PAGE);
    const facts = await resolveFacts([request(EIC), request(EIC, MEMBER), request(EIC, ACCT, "eu-west-1")], {
      inventory: noInventory,
      ec2For: (accountId, region) => {
        asked.push(`${accountId} ${region}`);
        return ec2;
      },
    });
    expect(asked.sort()).toEqual([`${ACCT} eu-west-1`, `${ACCT} us-east-1`, `${MEMBER} us-east-1`]);
    // A list is known in the account and region it was read in only.
    expect(facts.awsManagedPrefixList!(EIC, MEMBER, "us-east-1")).toMatchObject({ ok: true });
    expect(facts.awsManagedPrefixList!(EIC, MEMBER, "us-west-2")).toBeUndefined();
  });

  it("caches a read for 10 minutes and a failure for 1 minute", async () => {
    mock.on(DescribeManagedPrefixListsCommand).resolves(PAGE);
    const t0 = Date.UTC(2026, 0, 5, 15);
    await resolveFacts([request(EIC)], { inventory: noInventory, ec2For }, t0);
    await resolveFacts([request(EIC)], { inventory: noInventory, ec2For }, t0 + 9 * 60_000);
    expect(mock.commandCalls(DescribeManagedPrefixListsCommand)).toHaveLength(1);
    await resolveFacts([request(EIC)], { inventory: noInventory, ec2For }, t0 + 11 * 60_000);
    expect(mock.commandCalls(DescribeManagedPrefixListsCommand)).toHaveLength(2);

    clearFactCache();
    mock.reset();
    mock.on(DescribeManagedPrefixListsCommand).rejects(Object.assign(new Error("x"), { name: "Throttling" }));
    await resolveFacts([request(EIC)], { inventory: noInventory, ec2For }, t0);
    await resolveFacts([request(EIC)], { inventory: noInventory, ec2For }, t0 + 30_000);
    expect(mock.commandCalls(DescribeManagedPrefixListsCommand)).toHaveLength(1);
    await resolveFacts([request(EIC)], { inventory: noInventory, ec2For }, t0 + 61_000);
    expect(mock.commandCalls(DescribeManagedPrefixListsCommand)).toHaveLength(2);
  });
});
