import * as z from "zod";
import { suppressionEnd } from "../baseline/until.ts";
import { FINDING_STATUSES, SEVERITIES } from "../finding/types.ts";
import { isRuleId } from "../rule-ids.ts";

/** Largest request body the API accepts (suppress/unsuppress bodies are a few hundred bytes). */
export const MAX_BODY_BYTES = 8 * 1024;
/** Longest query-string value (ARNs are at most 2048 characters). */
export const MAX_QUERY_VALUE = 2048;
export const MAX_PAGE = 500;
/**
 * Most bytes of items one page answers (findings, history entries, posture snapshots): Lambda refuses
 * a response payload over 6 MB, and the body is escaped once more inside it. A page that reaches this
 * before `limit` ends early with a cursor (stored evidence is up to 64 KiB per finding and per history
 * entry; a posture snapshot is one DynamoDB item, up to 400 KB).
 */
export const MAX_PAGE_BYTES = 3 * 1024 * 1024;

/** An API error: HTTP status, machine code, message and, for bad input, the field at fault. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const iso = z
  .string()
  .max(40)
  .refine(
    (s) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d{2}-\d{2}/.test(s) && dayExists(s.slice(0, 10)),
    "an ISO-8601 date or time (of a day that exists)",
  )
  .transform((s) => new Date(s).toISOString());
/** Date.parse rolls a day the month does not have over (2026-04-31 → 1 May): refuse it instead. */
function dayExists(day: string): boolean {
  const d = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day;
}
const accountId = z.string().regex(/^\d{12}$/, "a 12-digit AWS account id");
const region = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$|^global$/, "an AWS region such as us-east-1");
// A misspelt id would list nothing, and an empty list reads as "no findings": refuse it, naming it.
const ruleId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,63}$/, "a control or detector id such as s3-encryption-cmk")
  .refine(isRuleId, {
    error: (issue) =>
      `"${String(issue.input)}" is no control or detector id (the ids are listed in docs/controls.md and docs/detectors.md)`,
  });
const limit = z.coerce.number().int().min(1).max(MAX_PAGE);
const cursor = z
  .string()
  .max(4096)
  .regex(/^[A-Za-z0-9_-]+$/, "a cursor returned by a previous page");

/** Query of `GET /findings`. `control` and `detector` are the same filter (a rule id). */
export const ListFindingsQuery = z
  .object({
    status: z
      .string()
      .transform((s) => s.toUpperCase())
      .pipe(z.enum(FINDING_STATUSES))
      .optional(),
    severity: z.enum(SEVERITIES).optional(),
    control: ruleId.optional(),
    detector: ruleId.optional(),
    kind: z.enum(["drift", "activity"]).optional(),
    resource: z.string().min(1).max(MAX_QUERY_VALUE).optional(),
    account: accountId.optional(),
    region: region.optional(),
    from: iso.optional(),
    to: iso.optional(),
    limit: limit.default(100),
    cursor: cursor.optional(),
  })
  .strict()
  .refine((q) => !(q.control && q.detector && q.control !== q.detector), {
    message: "give control or detector, not two different ids",
    path: ["detector"],
  })
  .refine((q) => !q.resource || (q.account && q.region), {
    message: "resource needs account and region",
    path: ["resource"],
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    message: "from must not be after to",
    path: ["from"],
  });
export type ListFindingsQuery = z.infer<typeof ListFindingsQuery>;

/** Query of `GET /resources/{resourceId}/history`: oldest first, `from`/`to` bound the transition time. */
export const ResourceHistoryQuery = z
  .object({
    account: accountId,
    region: region,
    from: iso.optional(),
    to: iso.optional(),
    limit: limit.default(100),
    cursor: cursor.optional(),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    message: "from must not be after to",
    path: ["from"],
  });

/** Query of `GET /posture`: newest first, `from`/`to` bound the snapshot time. */
export const PostureQuery = z
  .object({ from: iso.optional(), to: iso.optional(), limit: limit.default(100), cursor: cursor.optional() })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    message: "from must not be after to",
    path: ["from"],
  });

const reason = z.string().trim().min(3, "at least 3 characters").max(500, "at most 500 characters");

/**
 * Body of `POST /findings/{id}/suppress`. `until` is kept as written: a date is inclusive (through the
 * end of that day in the organisation's time zone) and the router resolves it with `suppressionEnd`,
 * as the baseline's `suppressions[].until` is.
 */
export const SuppressBody = z
  .object({
    reason,
    until: z
      .string()
      .max(40)
      .refine(
        (s) => suppressionEnd(s, "UTC") !== undefined,
        "an ISO-8601 date (YYYY-MM-DD, inclusive) or date-time (of a day that exists)",
      ),
  })
  .strict();

/** A body that is only a person's reason. */
export const ReasonBody = z.object({ reason }).strict();

/** Body of `POST /findings/{id}/unsuppress`. */
export const UnsuppressBody = ReasonBody;

/** Body of `POST /findings/{id}/close` (an activity finding reviewed by a person). */
export const CloseBody = ReasonBody;

export const FindingIdParam = z
  .string()
  .regex(/^f-[0-9a-f]{24}$/, "a finding id such as f-0123456789abcdef01234567");

/**
 * Parse input with a schema; a failure becomes a 400 ApiError naming the field.
 *
 * @example
 * ```ts
 * parseInput(ListFindingsQuery, event.queryStringParameters ?? {}, "query");
 * ```
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where: string): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = [where, ...issue.path.map(String)].join(".");
  const message =
    issue.code === "unrecognized_keys" ? `unknown parameter(s): ${issue.keys.join(", ")}` : issue.message;
  throw new ApiError(400, "BadRequest", `${field}: ${message}`, field);
}
