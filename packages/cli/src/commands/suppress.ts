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
  // The baseline gives the time zone a date `--until` ends in; lifting has no date, so it needs none
  // (as `close`): the refusal to fall back to the example baseline is about reading a date wrong.
  const timeZone = values.lift ? undefined : organisationTimeZone(values.baseline, values.store);
  const res = await postFindingChange(
    values,
    id,
    values.lift ? "unsuppress" : "suppress",
    values.lift ? { reason: values.reason } : { reason: values.reason, until: values.until },
    timeZone,
  );
  if (!res.ok) {
    process.stderr.write(`phiwatch suppress: ${res.message}\n`);
    return 2;
  }
  const { body, caller } = res;
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
}

/** `organisation.timeZone` of the baseline (`--baseline`, else ./baseline.yaml; never the example for a table). */
function organisationTimeZone(baseline: string | undefined, store: string | undefined): string {
  const file = defaultBaseline(
    baseline,
    store?.startsWith("table:") ? "suppress on a deployed table" : undefined,
  );
  return parseBaseline(readFileSync(file, "utf8"), file).organisation.timeZone;
}

/**
 * `phiwatch close <finding-id> --reason "…" [--store table:NAME]`: close an activity finding (an
 * incident) after review, as the API's `POST /findings/{id}/close` (it goes through
 * `Api.handleApiRequest`): RESOLVED, with the reason and the caller in history. It re-opens if the
 * incident grows or happens again. A drift finding is refused: it resolves when its resource is
 * compliant.
 */
export async function closeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      reason: { type: "string" },
      store: { type: "string" },
      dir: { type: "string" },
      json: { type: "boolean", default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  const id = positionals[0];
  if (!id || positionals.length > 1)
    throw new UsageError('usage: phiwatch close <finding-id> --reason "…"  (activity findings: incidents)');
  if (!values.reason) throw new UsageError("--reason is required (it is recorded in the finding's history)");
  const res = await postFindingChange(values, id, "close", { reason: values.reason });
  if (!res.ok) {
    process.stderr.write(`phiwatch close: ${res.message}\n`);
    return 2;
  }
  if (values.json) process.stdout.write(`${JSON.stringify(res.body.finding)}\n`);
  else
    process.stdout.write(
      `${id}: closed after review, now ${res.body.finding?.status} (recorded as ${res.caller})\n`,
    );
  return 0;
}

interface ChangedFinding {
  finding?: { status: string; suppression?: { until: string } };
  error?: { message: string };
}

type ChangeAnswer =
  | { ok: true; caller: string | undefined; body: ChangedFinding }
  | { ok: false; message: string };

/**
 * POST a person's change of one finding (`suppress`, `unsuppress`, `close`) through the API's own
 * handler, on the local store or a deployed table, recording the caller: the AWS identity (STS) for a
 * table, `local:<user>` for the local store.
 */
async function postFindingChange(
  values: { store?: string; dir?: string },
  id: string,
  action: "suppress" | "unsuppress" | "close",
  body: Record<string, string | undefined>,
  timeZone?: string,
): Promise<ChangeAnswer> {
  const caller = values.store?.startsWith("table:")
    ? (await new STSClient({}).send(new GetCallerIdentityCommand({}))).Arn
    : `local:${userInfo().username}`;
  const { store, close } = await openStore(values);
  try {
    const res = await Api.handleApiRequest(
      {
        method: "POST",
        path: `/findings/${encodeURIComponent(id)}/${action}`,
        query: {},
        body: JSON.stringify(body),
        ...(caller ? { caller } : {}),
      },
      { findings: store, posture: { page: async () => ({ items: [] }) }, ...(timeZone ? { timeZone } : {}) },
    );
    const answer = JSON.parse(res.body) as ChangedFinding;
    // The API names its body's fields (`body.until`); the person typed options (`--until`).
    if (res.statusCode !== 200)
      return { ok: false, message: (answer.error?.message ?? res.body).replace(/\bbody\.(\w+)/g, "--$1") };
    return { ok: true, caller, body: answer };
  } finally {
    await close();
  }
}
