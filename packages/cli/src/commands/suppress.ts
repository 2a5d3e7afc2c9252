import { readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { Api, parseBaseline } from "@phiwatch/core";
import { defaultBaseline, openStore, UsageError } from "../context.ts";

/**
 * `phiwatch suppress <finding-id> --reason "…" --until 2026-06-30 [--store table:NAME]` and
 * `phiwatch suppress <finding-id> --lift --reason "…"`: the same validation and history as the API's
 * suppress/unsuppress (it goes through `Api.handleApiRequest`). The caller recorded is the AWS
 * identity (STS) for a deployed table, `local:<user>` for the local store. A date `--until` is
 * inclusive: the suppression holds through the end of that day in the baseline's
 * `organisation.timeZone` (`--baseline`, default ./baseline.yaml), as in the API and the baseline.
 */
export async function suppressCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      reason: { type: "string" },
      until: { type: "string" },
      lift: { type: "boolean", default: false },
      store: { type: "string" },
      dir: { type: "string" },
      baseline: { type: "string" },
      json: { type: "boolean", default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  const id = positionals[0];
  if (!id || positionals.length > 1)
    throw new UsageError(
      'usage: phiwatch suppress <finding-id> --reason "…" --until YYYY-MM-DD  (or --lift --reason "…")',
    );
  if (!values.reason) throw new UsageError("--reason is required (it is recorded in the finding's history)");
  if (!values.lift && !values.until) throw new UsageError("--until is required (suppressions expire)");
  const baselineFile = defaultBaseline(
    values.baseline,
    values.store?.startsWith("table:") ? "suppress on a deployed table" : undefined,
  );
  const timeZone = parseBaseline(readFileSync(baselineFile, "utf8"), baselineFile).organisation.timeZone;
  const caller = values.store?.startsWith("table:")
    ? (await new STSClient({}).send(new GetCallerIdentityCommand({}))).Arn
    : `local:${userInfo().username}`;
  const { store, close } = await openStore(values);
  try {
    const res = await Api.handleApiRequest(
      {
        method: "POST",
        path: `/findings/${encodeURIComponent(id)}/${values.lift ? "unsuppress" : "suppress"}`,
        query: {},
        body: JSON.stringify(
          values.lift ? { reason: values.reason } : { reason: values.reason, until: values.until },
        ),
        ...(caller ? { caller } : {}),
      },
      { findings: store, posture: { page: async () => ({ items: [] }) }, timeZone },
    );
    const body = JSON.parse(res.body) as {
      finding?: { status: string; suppression?: { until: string } };
      error?: { message: string };
    };
    if (res.statusCode !== 200) {
      process.stderr.write(`phiwatch suppress: ${body.error?.message ?? res.body}\n`);
      return 2;
    }
    if (values.json) process.stdout.write(`${JSON.stringify(body.finding)}\n`);
    else
      process.stdout.write(
        values.lift
          ? `${id}: suppression lifted, now ${body.finding?.status} (recorded as ${caller})\n`
          : `${id}: SUPPRESSED until ${body.finding?.suppression?.until}${
              /^\d{4}-\d{2}-\d{2}$/.test(values.until ?? "") ? ` (end of ${values.until}, ${timeZone})` : ""
            } (recorded as ${caller})\n`,
      );
    return 0;
  } finally {
    await close();
  }
}
