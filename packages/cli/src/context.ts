import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoFindingStore } from "@phiwatch/aws";
import type { FindingStore } from "@phiwatch/core";
import { LOCAL_NAMES, LocalStack, REPO_ROOT } from "./local/stack.ts";

/** Usage or input error: exit code 2 with a message, no stack trace. */
export class UsageError extends Error {
  override name = "UsageError";
}

export const DEFAULT_DIR = ".phiwatch";

/**
 * The baseline file: `--baseline`, else `./baseline.yaml`, else the demo's example baseline — which
 * describes Northwind Health, not the user's account. Falling back to it is said on stderr, and refused
 * when the command works on real data (`realData` names it: a live account, a deployed table or
 * queue), where the example's bucket names and principals would make real findings not applicable: a
 * silent pass.
 */
export function defaultBaseline(given?: string, realData?: string): string {
  let file = given ?? (existsSync("baseline.yaml") ? "baseline.yaml" : undefined);
  if (file === undefined) {
    if (realData)
      throw new UsageError(
        `${realData} needs your baseline: pass --baseline FILE (or put baseline.yaml in the working directory). ` +
          "The example baseline describes the demo's Northwind Health, not your account.",
      );
    file = resolve(REPO_ROOT, "examples/baseline.yaml");
    process.stderr.write(
      "phiwatch: no --baseline and no ./baseline.yaml: using the demo's example baseline (examples/baseline.yaml)\n",
    );
  }
  if (!existsSync(file)) throw new UsageError(`baseline file not found: ${file}`);
  if (!statSync(file).isFile()) throw new UsageError(`baseline is not a file: ${file}`);
  return file;
}

/**
 * The store a read command works on: the local one under `.phiwatch/` (DynamoDB Local started for the
 * command), or a deployed table (`--store table:NAME`, with the caller's AWS credentials).
 */
export async function openStore(opts: {
  store?: string;
  dir?: string;
  baseline?: string;
}): Promise<{ store: FindingStore; close(): Promise<void> }> {
  const spec = opts.store ?? "local";
  if (spec.startsWith("table:")) {
    const ddb = new DynamoDBClient({});
    return {
      store: new DynamoFindingStore(ddb, spec.slice("table:".length)),
      close: async () => ddb.destroy(),
    };
  }
  if (spec !== "local") throw new UsageError(`--store must be "local" or "table:<name>", got "${spec}"`);
  const dir = resolve(opts.dir ?? DEFAULT_DIR);
  if (!existsSync(resolve(dir, "ddb")))
    throw new UsageError(`no local store in ${dir}: run \`npm start\` or \`phiwatch replay\` first`);
  const stack = await LocalStack.start({
    dir,
    baselineFile: defaultBaseline(opts.baseline),
    storeOnly: true,
  });
  return { store: new DynamoFindingStore(stack.ddb, LOCAL_NAMES.table), close: () => stack.stop() };
}
