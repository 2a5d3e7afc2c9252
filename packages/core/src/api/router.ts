import { suppressionEnd } from "../baseline/until.ts";
import type {
  Finding,
  FindingChange,
  FindingQuery,
  FindingStore,
  HistoryEntry,
  Page,
} from "../finding/index.ts";
import { closeIncident, closeRefusal, suppress, unsuppress } from "../finding/lifecycle.ts";
import { redactText } from "../format/redact.ts";
import type { PostureSnapshot } from "../report/posture.ts";
import {
  ApiError,
  FindingIdParam,
  ListFindingsQuery,
  MAX_BODY_BYTES,
  MAX_PAGE_BYTES,
  MAX_QUERY_VALUE,
  PostureQuery,
  parseInput,
  ReasonBody,
  ResourceHistoryQuery,
  SuppressBody,
} from "./request.ts";

/** Where posture snapshots are read from (the sweep writes them). */
export interface PostureReader {
  /**
   * One page of snapshots in [from, to], newest first: at most `limit`, and with `maxBytes` stopping
   * before their JSON passes it (one snapshot at least); `cursor` continues a previous page. A
   * cursor that is not of this query throws `InvalidEventError` with field `cursor`.
   */
  page(q: {
    from?: string;
    to?: string;
    limit: number;
    cursor?: string;
    maxBytes?: number;
  }): Promise<Page<PostureSnapshot>>;
}

export interface ApiDeps {
  findings: FindingStore;
  posture: PostureReader;
  now?: () => Date;
  /** The organisation's IANA time zone (`organisation.timeZone`): a suppression date ends at its end. Default UTC. */
  timeZone?: string;
}

/** The parts of an API Gateway HTTP API (payload 2.0) request the API reads. */
export interface ApiRequest {
  method: string;
  path: string;
  query: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  /** `requestContext.authorizer.iam.userArn` — the caller, as IAM authenticated it. */
  caller?: string;
}

export interface ApiResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** Longest suppression: a year. Exceptions must be reviewed. */
const MAX_SUPPRESSION_MS = 366 * 24 * 3600 * 1000;

const json = (statusCode: number, value: unknown): ApiResponse => ({
  statusCode,
  headers: { "content-type": "application/json", "cache-control": "no-store" },
  body: JSON.stringify(value),
});

/**
 * The answer to a failure the handler did not expect: the same headers as every other answer (never
 * cached: a shared cache must not keep an error for the next caller), and no detail of the failure.
 */
export function internalError(): ApiResponse {
  return json(500, { error: { code: "InternalError", message: "internal error; see the function logs" } });
}

type Route =
  | { name: "listFindings" }
  | { name: "getFinding"; id: string }
  | { name: "suppress"; id: string }
  | { name: "unsuppress"; id: string }
  | { name: "close"; id: string }
  | { name: "resourceHistory"; resourceId: string }
  | { name: "posture" };

/**
 * Match a method and path to a route; 404 for an unknown path, 405 for a known path and wrong method.
 * Each route has one spelling, the one IAM authorises: API Gateway checks `execute-api:Invoke` on the
 * method and path as sent (`…/$default/POST/findings/<id>/suppress`), so a path with a trailing or
 * doubled slash, or a lower-case method, matches no statement written for the route — a Deny of it
 * above all — and must not reach it either. Neither the path nor the method is repeated in the
 * answer: both are the caller's text (a mistyped path can hold a patient's name).
 *
 * @example
 * ```ts
 * matchRoute("GET", "/findings/f-0123456789abcdef01234567"); // { name: "getFinding", id: "f-…" }
 * matchRoute("POST", "/findings/f-0123456789abcdef01234567/suppress/"); // throws 404
 * ```
 */
export function matchRoute(method: string, path: string): Route {
  const notFound = () => new ApiError(404, "NotFound", "no route for this path");
  if (!path.startsWith("/")) throw notFound();
  const parts = path.slice(1).split("/");
  if (parts.some((p) => p === "")) throw notFound();
  const want = (allowed: string, route: Route): Route => {
    if (method !== allowed) throw new ApiError(405, "MethodNotAllowed", `this route answers ${allowed} only`);
    return route;
  };
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new ApiError(400, "BadRequest", "path: invalid percent-encoding", "path");
    }
  };
  if (parts[0] === "findings" && parts.length === 1) return want("GET", { name: "listFindings" });
  if (parts[0] === "findings" && parts.length === 2)
    return want("GET", { name: "getFinding", id: decode(parts[1]!) });
  if (parts[0] === "findings" && parts.length === 3 && parts[2] === "suppress")
    return want("POST", { name: "suppress", id: decode(parts[1]!) });
  if (parts[0] === "findings" && parts.length === 3 && parts[2] === "unsuppress")
    return want("POST", { name: "unsuppress", id: decode(parts[1]!) });
  if (parts[0] === "findings" && parts.length === 3 && parts[2] === "close")
    return want("POST", { name: "close", id: decode(parts[1]!) });
  // HTTP APIs pass `rawPath` percent-decoded, so a resource id with a slash (a KMS key ARN) arrives
  // as several segments: the id is everything between `resources/` and the final `/history`.
  if (parts[0] === "resources" && parts.length >= 3 && parts.at(-1) === "history") {
    const resourceId = path.slice("/resources/".length, -"/history".length);
    return want("GET", { name: "resourceHistory", resourceId: decode(resourceId) });
  }
  if (parts[0] === "posture" && parts.length === 1) return want("GET", { name: "posture" });
  throw notFound();
}

function readBody(req: ApiRequest): unknown {
  if (!req.body) throw new ApiError(400, "BadRequest", "body: a JSON object is required", "body");
  const text = req.isBase64Encoded ? Buffer.from(req.body, "base64").toString("utf8") : req.body;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES)
    throw new ApiError(413, "PayloadTooLarge", `body: larger than ${MAX_BODY_BYTES} bytes`, "body");
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "BadRequest", "body: not valid JSON", "body");
  }
}

function requireCaller(req: ApiRequest): string {
  if (!req.caller)
    throw new ApiError(
      401,
      "Unauthorized",
      "no IAM caller identity on the request (the route needs IAM auth)",
    );
  return req.caller;
}

/** Attempts of a person's change when other writers update the finding meanwhile. */
const USER_CHANGE_ATTEMPTS = 3;

/**
 * Read the finding, decide the person's change on it, and write it conditionally on what was read.
 * A detector or evaluation that updated the finding in between (a count, evidence) makes the write a
 * conflict: read again and decide again — the change must never put back what was read before.
 */
async function applyUserChange(
  deps: ApiDeps,
  id: string,
  change: (current: Finding) => FindingChange,
): Promise<Finding> {
  for (let attempt = 0; attempt < USER_CHANGE_ATTEMPTS; attempt++) {
    const c = change(await loadFinding(deps, id));
    if ((await deps.findings.applyChange(c)) === "applied") return c.next;
  }
  throw new ApiError(409, "Conflict", "the finding changed meanwhile: retry");
}

/**
 * A person's change whose body is only a reason (`unsuppress`, `close`): the caller's identity, the
 * reason with PHI-shaped text redacted (free text from a person), the change decided on the stored
 * finding (re-decided when it changed meanwhile).
 */
async function reasonChange(
  req: ApiRequest,
  deps: ApiDeps,
  id: string,
  now: Date,
  change: (current: Finding, reason: string, by: string, at: string) => FindingChange,
): Promise<ApiResponse> {
  const by = requireCaller(req);
  const reason = redactText(parseInput(ReasonBody, readBody(req), "body").reason);
  const finding = await applyUserChange(deps, id, (current) =>
    change(current, reason, by, now.toISOString()),
  );
  return json(200, { finding });
}

async function loadFinding(deps: ApiDeps, id: string): Promise<Finding> {
  const findingId = parseInput(FindingIdParam, id, "path.findingId");
  const f = await deps.findings.getFinding(findingId);
  if (!f) throw new ApiError(404, "NotFound", `finding ${findingId} not found`);
  return f;
}

/**
 * The query API: list findings (filters, cursor pagination), one finding with its history, drift
 * history of a resource, posture snapshots, suppress/unsuppress recorded with the caller's identity.
 * Pure of AWS: the handler adapts API Gateway's event and passes the stores in. Every error is JSON
 * `{ "error": { "code", "message", "field"? } }` with its status code.
 *
 * @example
 * ```ts
 * const res = await handleApiRequest({ method: "GET", path: "/findings", query: { status: "OPEN" } }, deps);
 * ```
 */
export async function handleApiRequest(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  try {
    for (const [k, v] of Object.entries(req.query))
      if (v !== undefined && v.length > MAX_QUERY_VALUE)
        throw new ApiError(
          413,
          "PayloadTooLarge",
          `query.${k}: longer than ${MAX_QUERY_VALUE} characters`,
          `query.${k}`,
        );
    const route = matchRoute(req.method, req.path);
    return await dispatch(route, req, deps);
  } catch (error) {
    if (error instanceof ApiError)
      return json(error.status, {
        error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) },
      });
    if ((error as Error).name === "InvalidEventError" && (error as { field?: string }).field === "cursor")
      return json(400, {
        error: { code: "BadRequest", message: (error as Error).message, field: "query.cursor" },
      });
    throw error;
  }
}

async function dispatch(route: Route, req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const now = deps.now?.() ?? new Date();
  switch (route.name) {
    case "listFindings": {
      const q = parseInput(ListFindingsQuery, req.query, "query");
      const ruleId = q.control ?? q.detector;
      const query: FindingQuery = {
        ...(q.status ? { status: q.status } : {}),
        ...(q.severity ? { severity: q.severity } : {}),
        ...(ruleId ? { ruleId } : {}),
        ...(q.kind ? { kind: q.kind } : {}),
        ...(q.account ? { accountId: q.account } : {}),
        ...(q.resource
          ? { resource: { accountId: q.account!, region: q.region!, resourceId: q.resource } }
          : {}),
        ...(q.from ? { from: q.from } : {}),
        ...(q.to ? { to: q.to } : {}),
        limit: q.limit,
        ...(q.cursor ? { cursor: q.cursor } : {}),
        maxBytes: MAX_PAGE_BYTES,
      };
      const page: Page<Finding> = await deps.findings.listFindings(query);
      const items =
        q.region && !q.resource ? page.items.filter((f) => f.subject.region === q.region) : page.items;
      return json(200, { items, ...(page.cursor ? { cursor: page.cursor } : {}) });
    }
    case "getFinding": {
      const finding = await loadFinding(deps, route.id);
      const all: HistoryEntry[] = await deps.findings.findingHistory(finding.findingId);
      // A flapping finding's history can pass Lambda's 6 MB answer: the newest entries that fit the
      // page budget, and how many earlier ones were left out (GET /resources/{id}/history pages them).
      let budget = MAX_PAGE_BYTES - Buffer.byteLength(JSON.stringify(finding));
      let first = all.length;
      while (first > 0) {
        budget -= Buffer.byteLength(JSON.stringify(all[first - 1]));
        if (budget < 0 && first < all.length) break;
        first--;
      }
      const history = all.slice(first);
      return json(200, { finding, history, ...(first > 0 ? { historyOmitted: first } : {}) });
    }
    case "resourceHistory": {
      if (route.resourceId.length === 0 || route.resourceId.length > MAX_QUERY_VALUE)
        throw new ApiError(400, "BadRequest", "path.resourceId: 1 to 2048 characters", "path.resourceId");
      const q = parseInput(ResourceHistoryQuery, req.query, "query");
      const page = await deps.findings.resourceHistory(
        { accountId: q.account, region: q.region, resourceId: route.resourceId },
        {
          ...(q.from ? { from: q.from } : {}),
          ...(q.to ? { to: q.to } : {}),
          limit: q.limit,
          ...(q.cursor ? { cursor: q.cursor } : {}),
          maxBytes: MAX_PAGE_BYTES,
        },
      );
      return json(200, {
        resource: { accountId: q.account, region: q.region, resourceId: route.resourceId },
        history: page.items,
        ...(page.cursor ? { cursor: page.cursor } : {}),
      });
    }
    case "posture": {
      const q = parseInput(PostureQuery, req.query, "query");
      // A snapshot can be 400 KB (many accounts, failed reads): a page of them stops at the budget too.
      const page = await deps.posture.page({
        ...(q.from ? { from: q.from } : {}),
        ...(q.to ? { to: q.to } : {}),
        limit: q.limit,
        ...(q.cursor ? { cursor: q.cursor } : {}),
        maxBytes: MAX_PAGE_BYTES,
      });
      return json(200, { items: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) });
    }
    case "suppress": {
      const by = requireCaller(req);
      const body = parseInput(SuppressBody, readBody(req), "body");
      // Validated by SuppressBody: a date runs through the end of that day in the organisation's zone.
      const until = suppressionEnd(body.until, deps.timeZone ?? "UTC")!;
      if (until <= now.toISOString())
        throw new ApiError(400, "BadRequest", "body.until: must be in the future", "body.until");
      if (Date.parse(until) - now.getTime() > MAX_SUPPRESSION_MS)
        throw new ApiError(400, "BadRequest", "body.until: at most one year ahead", "body.until");
      // The reason is free text from a person: redact PHI-shaped strings before it is stored or alerted.
      const reason = redactText(body.reason);
      const finding = await applyUserChange(deps, route.id, (current) => {
        if (current.status === "RESOLVED")
          throw new ApiError(
            409,
            "Conflict",
            `finding ${current.findingId} is RESOLVED: nothing to suppress`,
          );
        return suppress(current, reason, until, by, now.toISOString());
      });
      return json(200, { finding });
    }
    case "unsuppress":
      return reasonChange(req, deps, route.id, now, (current, reason, by, at) => {
        if (current.status !== "SUPPRESSED")
          throw new ApiError(
            409,
            "Conflict",
            `finding ${current.findingId} is ${current.status}, not SUPPRESSED`,
          );
        return unsuppress(current, reason, by, at);
      });
    case "close":
      return reasonChange(req, deps, route.id, now, (current, reason, by, at) => {
        const refused = closeRefusal(current);
        if (refused) throw new ApiError(409, "Conflict", refused);
        return closeIncident(current, reason, by, at);
      });
  }
}
