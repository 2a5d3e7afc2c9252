// The setup the sweep's store-level tests share: one local stack per test file (DynamoDB Local only),
// the mocked AWS account each test installs (restored after it), and a fresh table per case.
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll } from "vitest";
import {
  BatchReadFindingStore,
  ensureTable,
  InventoryStore,
  type SweepDeps,
} from "../../../packages/aws/src/index.ts";
import { LocalStack } from "../../../packages/cli/src/local/stack.ts";
import { CONTROLS, ControlSet, parseBaseline } from "../../../packages/core/src/index.ts";
import { clientsFor, type Mocks, mockAccount } from "./account.ts";

/** Sweep dependencies on a table of their own, with its name. */
export type TableDeps = SweepDeps & {
  findings: BatchReadFindingStore;
  inventory: InventoryStore;
  table: string;
};

/**
 * Registers the file's hooks (stack started before its tests and stopped after; the account mock
 * restored after each) and returns what the tests use.
 *
 * @example
 * ```ts
 * const h = sweepHarness("reappear");
 * it("…", async () => { const deps = await h.freshDeps(); h.mock({ items }); … });
 * ```
 */
export function sweepHarness(prefix: string) {
  const baseline = parseBaseline(readFileSync("examples/baseline.yaml", "utf8"), "examples/baseline.yaml");
  const controls = new ControlSet(CONTROLS);
  let stack: LocalStack | undefined;
  let mocks: Mocks | undefined;
  let tables = 0;
  beforeAll(async () => {
    stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml", storeOnly: true });
  });
  afterAll(async () => {
    await stack?.stop();
  });
  afterEach(() => {
    mocks?.restore();
    mocks = undefined;
  });
  return {
    /** The file's local stack (started in `beforeAll`). */
    get stack(): LocalStack {
      if (!stack) throw new Error("the local stack starts in beforeAll");
      return stack;
    },
    /** Mock the account's AWS answers, replacing the mock installed before. */
    mock(options: Parameters<typeof mockAccount>[0]): Mocks {
      mocks?.restore();
      mocks = mockAccount(options);
      return mocks;
    },
    /** Sweep dependencies on a new table (`<prefix>-<n>`), backoff pauses skipped. */
    async freshDeps(): Promise<TableDeps> {
      const table = `${prefix}-${++tables}`;
      await ensureTable(this.stack.ddb, table);
      return {
        table,
        baseline,
        controls,
        findings: new BatchReadFindingStore(this.stack.ddb, table),
        inventory: new InventoryStore(this.stack.ddb, table),
        clientsFor,
        backoff: { sleep: async () => {} },
      };
    },
  };
}
