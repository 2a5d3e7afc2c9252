// The sweep's deletion check reads the live (OPEN and SUPPRESSED) findings. The table indexes findings
// by status, every account's in one partition, and the query's account is only a filter: reading them
// once per account read the whole partition again for every account of an organisation (at 30,000
// resources one such read took 10–16 s on DynamoDB Local). One read per run serves every account.
import { describe, expect, it } from "vitest";
import { runSweep } from "../../../packages/aws/src/index.ts";
import { DEMO } from "../../../packages/cli/src/demo/config-scenario.ts";
import { allFindings, type FindingQuery } from "../../../packages/core/src/index.ts";
import { clientsFor, demoEvents } from "./account.ts";
import { sweepHarness } from "./harness.ts";

const h = sweepHarness("orglive");

/** A sweep of the demo account and `members` more (read with the same mocked clients), counting status listings. */
async function sweepCounting(members: string[], sweepId: string) {
  const deps = await h.freshDeps();
  h.mock({ items: demoEvents().items });
  // A first sweep, so that there are live findings to page through.
  await runSweep(deps, { accountId: DEMO.accountId, regions: [DEMO.region], sweepId: `${sweepId}-0` });
  expect((await allFindings(deps.findings, { status: "OPEN" })).length).toBeGreaterThan(0);
  let listings = 0;
  const listFindings = deps.findings.listFindings.bind(deps.findings);
  deps.findings.listFindings = (q: FindingQuery) => {
    if (q.status === "OPEN" || q.status === "SUPPRESSED") listings++;
    return listFindings(q);
  };
  const { posture } = await runSweep(deps, {
    accountId: DEMO.accountId,
    regions: [DEMO.region],
    sweepId,
    reconcile: true,
    members: members.map((accountId) => ({ accountId, clientsFor })),
  });
  return { listings, posture };
}

describe("sweep of an organisation: the live findings are read once per run, not once per account", () => {
  it("makes as many status listings for three accounts as for one", async () => {
    const one = await sweepCounting([], "org-1");
    const three = await sweepCounting(["444455556666", "777788889999"], "org-3");
    expect(three.posture.accounts).toEqual([DEMO.accountId, "444455556666", "777788889999"]);
    expect(one.listings).toBeGreaterThan(0);
    expect(three.listings).toBe(one.listings);
  });

  it("a live-findings read that fails costs only the account that asked: the next account reads again", async () => {
    const deps = await h.freshDeps();
    h.mock({ items: demoEvents().items });
    const members = ["444455556666", "777788889999"];
    let failed = 0;
    const listFindings = deps.findings.listFindings.bind(deps.findings);
    deps.findings.listFindings = (q: FindingQuery) => {
      if (q.status === "OPEN" && q.accountId === undefined && failed++ === 0)
        return Promise.reject(new Error("ProvisionedThroughputExceededException"));
      return listFindings(q);
    };
    await expect(
      runSweep(deps, {
        accountId: DEMO.accountId,
        regions: [DEMO.region],
        sweepId: "org-fail",
        members: members.map((accountId) => ({ accountId, clientsFor })),
      }),
    ).rejects.toThrow("ProvisionedThroughputExceededException");
    // One account's sweep failed with the read; the two others were evaluated and recorded. (The mocked
    // Config items all name the demo account, whoever reads them: the Connect flows, read through the
    // account's own clients, say which accounts were evaluated.)
    const open = await allFindings(deps.findings, { status: "OPEN" });
    const swept = [DEMO.accountId, ...members].filter((a) =>
      open.some((f) => f.subject.accountId === a && f.subject.resourceType === "AWS::Connect::ContactFlow"),
    );
    expect(swept).toHaveLength(2);
  });
});
