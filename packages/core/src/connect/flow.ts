import { InputTooLargeError, InvalidEventError } from "../errors.ts";

/** Largest flow content accepted (Connect's own limit is far below this). */
export const MAX_FLOW_CONTENT_CHARS = 2_000_000;
/** Most actions accepted in one flow. */
export const MAX_FLOW_ACTIONS = 10_000;

/** One outgoing edge of a flow action. */
export interface FlowEdge {
  to: string;
  /** `next` = Transitions.NextAction, `condition` = a Conditions entry, `error` = an Errors entry. */
  via: "next" | "condition" | "error";
}

/** One block of a flow, in Flow language terms. */
export interface FlowAction {
  id: string;
  type: string;
  parameters: Record<string, unknown>;
  edges: FlowEdge[];
  /** Operands of the action's Conditions (Lex intent names, menu digits): used to read intent. */
  conditionOperands: string[];
}

/** A parsed Flow-language document. */
export interface Flow {
  version: string;
  startAction: string;
  actions: ReadonlyMap<string, FlowAction>;
  /** Edges whose target is not an action of this flow (kept, not followed). */
  danglingEdges: Array<{ from: string; to: string }>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Parse Amazon Connect Flow language (`{"Version":"2019-10-30","StartAction":…,"Actions":[…]}`). The
 * content may arrive as an object, as a JSON string, inside `{Content}` (an export or a snapshot
 * configuration) or inside a DescribeContactFlow / DescribeContactFlowModule response
 * (`{ContactFlow:{Content}}`, `{ContactFlowModule:{Content}}`). Anything else throws
 * `InvalidEventError` naming the field; nothing else is ever thrown.
 *
 * @example
 * ```ts
 * const flow = parseFlow(describeContactFlowResponse);
 * flow.actions.get(flow.startAction)?.type; // "UpdateContactRecordingBehavior"
 * ```
 */
export function parseFlow(input: unknown, field = "Content"): Flow {
  return parseAt(input, field, 0);
}

function parseAt(input: unknown, field: string, depth: number): Flow {
  if (depth > 4) throw new InvalidEventError("flow content nested too deeply", field);
  if (typeof input === "string") {
    if (input.length > MAX_FLOW_CONTENT_CHARS)
      throw new InputTooLargeError(`flow content over ${MAX_FLOW_CONTENT_CHARS} characters`, field);
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch (error) {
      throw new InvalidEventError("flow content is not JSON", field, { cause: error });
    }
    return parseAt(parsed, field, depth + 1);
  }
  if (!isObject(input)) throw new InvalidEventError("flow content is not a JSON object", field);
  if (isObject(input.ContactFlow)) return parseAt(input.ContactFlow, `${field}.ContactFlow`, depth + 1);
  if (isObject(input.ContactFlowModule))
    return parseAt(input.ContactFlowModule, `${field}.ContactFlowModule`, depth + 1);
  if (!("Actions" in input) && "Content" in input)
    return parseAt(input.Content, `${field}.Content`, depth + 1);
  return parseDocument(input, field);
}

function parseDocument(doc: Record<string, unknown>, field: string): Flow {
  const { Actions: rawActions, StartAction: start, Version: version } = doc;
  if (!Array.isArray(rawActions)) throw new InvalidEventError("Actions is not an array", `${field}.Actions`);
  if (rawActions.length > MAX_FLOW_ACTIONS)
    throw new InputTooLargeError(`more than ${MAX_FLOW_ACTIONS} actions`, `${field}.Actions`);
  if (typeof start !== "string" || start === "")
    throw new InvalidEventError("StartAction is missing", `${field}.StartAction`);
  const actions = new Map<string, FlowAction>();
  rawActions.forEach((raw, i) => {
    const at = `${field}.Actions.${i}`;
    if (!isObject(raw)) throw new InvalidEventError("action is not an object", at);
    const { Identifier: id, Type: type } = raw;
    if (typeof id !== "string" || id === "")
      throw new InvalidEventError("Identifier is missing", `${at}.Identifier`);
    if (typeof type !== "string" || type === "") throw new InvalidEventError("Type is missing", `${at}.Type`);
    if (actions.has(id)) throw new InvalidEventError(`duplicate Identifier`, `${at}.Identifier`);
    const parameters = raw.Parameters === undefined ? {} : raw.Parameters;
    if (!isObject(parameters)) throw new InvalidEventError("Parameters is not an object", `${at}.Parameters`);
    const { edges, operands } = readTransitions(raw.Transitions, `${at}.Transitions`);
    actions.set(id, { id, type, parameters, edges, conditionOperands: operands });
  });
  if (!actions.has(start))
    throw new InvalidEventError("StartAction names no action of the flow", `${field}.StartAction`);
  const danglingEdges: Flow["danglingEdges"] = [];
  for (const a of actions.values())
    for (const e of a.edges) if (!actions.has(e.to)) danglingEdges.push({ from: a.id, to: e.to });
  return { version: typeof version === "string" ? version : "", startAction: start, actions, danglingEdges };
}

function readTransitions(t: unknown, at: string): { edges: FlowEdge[]; operands: string[] } {
  const edges: FlowEdge[] = [];
  const operands: string[] = [];
  if (t === undefined || t === null) return { edges, operands };
  if (!isObject(t)) throw new InvalidEventError("Transitions is not an object", at);
  if (t.NextAction !== undefined) {
    if (typeof t.NextAction !== "string") throw new InvalidEventError("not a string", `${at}.NextAction`);
    if (t.NextAction !== "") edges.push({ to: t.NextAction, via: "next" });
  }
  for (const [key, via] of [
    ["Conditions", "condition"],
    ["Errors", "error"],
  ] as const) {
    const list = t[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw new InvalidEventError("not an array", `${at}.${key}`);
    list.forEach((entry, i) => {
      if (!isObject(entry)) throw new InvalidEventError("not an object", `${at}.${key}.${i}`);
      const to = entry.NextAction;
      if (typeof to !== "string")
        throw new InvalidEventError("NextAction is not a string", `${at}.${key}.${i}.NextAction`);
      if (to !== "") edges.push({ to, via });
      const cond = entry.Condition;
      if (isObject(cond) && Array.isArray(cond.Operands))
        for (const o of cond.Operands) if (typeof o === "string") operands.push(o);
    });
  }
  return { edges, operands };
}

const reachableOf = new WeakMap<Flow, ReadonlySet<string>>();

/**
 * Identifiers of the actions reachable from StartAction (each once, cycles included). Computed once
 * per parsed flow: the recording analysis, the analytics settings and the controls all ask.
 *
 * @example
 * ```ts
 * reachableActions(flow).has("fe0cff31-99e2-4b4a-b1ec-ff7baa711d7b"); // true
 * ```
 */
export function reachableActions(flow: Flow): ReadonlySet<string> {
  let r = reachableOf.get(flow);
  if (!r) {
    r = computeReachable(flow);
    reachableOf.set(flow, r);
  }
  return r;
}

function computeReachable(flow: Flow): Set<string> {
  const seen = new Set<string>([flow.startAction]);
  const queue = [flow.startAction];
  while (queue.length > 0) {
    const id = queue.shift()!;
    for (const e of flow.actions.get(id)?.edges ?? []) {
      if (!seen.has(e.to) && flow.actions.has(e.to)) {
        seen.add(e.to);
        queue.push(e.to);
      }
    }
  }
  return seen;
}
