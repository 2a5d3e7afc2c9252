import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { generateAccessScenario } from "../../../packages/cli/src/demo/access-scenario.ts";
import { Activity, DETECTORS } from "../../../packages/core/src/index.ts";
import { demoBaseline, eventsOfFile, MemoryFindingStore } from "./helpers.ts";

const baseline = demoBaseline();
let files: { historyFiles: string[]; todayFiles: string[] };

async function learn(store: Activity.AccessStore) {
  const touched = new Map<string, { key: Activity.WindowDelta; minAt: number; maxAt: number }>();
  let maxAt = 0;
  for (const f of files.historyFiles) {
    const r = await Activity.processAccessEvents(eventsOfFile(f, baseline), {
      store,
      baseline,
      detectors: DETECTORS,
      mode: "learn",
    });
    for (const t of r.touched) touched.set(Activity.pairKey(t.key.target, t.key.principal.id), t);
    for (const t of r.touched) maxAt = Math.max(maxAt, t.maxAt);
  }
  const s = Activity.resolveSettings(baseline);
  for (const t of touched.values())
    await Activity.foldProfile(store, t.key, Activity.windowStartOf(maxAt, 15), s, t.minAt);
}

async function today(store: Activity.AccessStore, findings: MemoryFindingStore, file: string) {
  return Activity.processAccessEvents(eventsOfFile(file, baseline), {
    store,
    baseline,
    detectors: DETECTORS,
    findings,
    now: new Date("2026-03-04T00:00:00Z"),
  });
}

describe("demo access scenario", () => {
  beforeAll(async () => {
    files = await generateAccessScenario(mkdtempSync(join(tmpdir(), "phiwatch-access-")));
  });

  it("fires access-volume-spike and access-off-hours on the 2 AM service account, fires nothing for the QA supervisor, fires access-unauthorized-principal on the analytics role's first read", async () => {
    const store = new Activity.MemoryAccessStore();
    const findings = new MemoryFindingStore();
    await learn(store);
    const results = [];
    for (const f of files.todayFiles) results.push(await today(store, findings, f));
    const all = [...findings.findings.values()];
    const by = (p: string) =>
      all
        .filter((f) => f.subject.principal === p)
        .map((f) => f.ruleId)
        .sort();
    const exportSvc = "arn:aws:iam::111122223333:role/recording-export-svc";
    expect(by(exportSvc)).toEqual(expect.arrayContaining(["access-off-hours", "access-volume-spike"]));
    const spike = all.find((f) => f.ruleId === "access-volume-spike")!;
    expect(spike.count).toBe(2000);
    expect(spike.summary).toMatch(
      /^2000 reads between 02:00 and 02:15, profile for Tue 02h: 0 ± 0, floor 50$/,
    );
    const qa = all.filter((f) => f.subject.principal?.includes("AWSReservedSSO_QASupervisor"));
    expect(qa).toEqual([]);
    const unauthorized = all.find((f) => f.ruleId === "access-unauthorized-principal")!;
    expect(unauthorized.subject.principal).toBe("arn:aws:iam::111122223333:role/analytics-qa");
    expect(unauthorized.firstSeen).toBe("2026-03-03T15:30:05.000Z");
    // Pipeline services and daytime export: nothing.
    expect(all.filter((f) => f.subject.principal?.endsWith(".amazonaws.com"))).toEqual([]);
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    // No PHI: no object key in any finding.
    expect(JSON.stringify(all)).not.toMatch(/CallRecordings|\.wav/);
  });

  it("replaying the same files twice changes no profile and creates no duplicate finding", async () => {
    const store = new Activity.MemoryAccessStore();
    const findings = new MemoryFindingStore();
    await learn(store);
    for (const f of files.todayFiles) await today(store, findings, f);
    const profiles = JSON.stringify([...store.profiles.entries()]);
    const snapshot = JSON.stringify([...findings.findings.entries()]);
    const history = findings.history.length;
    await learn(store);
    for (const f of files.todayFiles) await today(store, findings, f);
    expect(JSON.stringify([...store.profiles.entries()])).toBe(profiles);
    expect(JSON.stringify([...findings.findings.entries()])).toBe(snapshot);
    expect(findings.history.length).toBe(history);
  });
});
