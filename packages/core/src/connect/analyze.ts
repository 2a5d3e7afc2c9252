import { type Flow, type FlowAction, type FlowEdge, reachableActions } from "./flow.ts";
import { normaliseWords, sensitiveTopics } from "./sensitive.ts";

/**
 * Recording of one part of a voice contact, as a flow path leaves it. `unknown` = a flow module ran on
 * the path: a module can change recording (the published VMX core module turns IVR recording on and
 * can return with it on), and its content is not part of this flow.
 */
export type RecordingSwitch = "on" | "off" | "inherited" | "unknown";

/** Recording state along a path: agent/customer conversation and IVR (automated interaction). */
export interface RecordingState {
  conversation: RecordingSwitch;
  ivr: RecordingSwitch;
}

/** Block types that capture what the customer types or says. */
export const INPUT_CAPTURE_TYPES: ReadonlySet<string> = new Set([
  "GetParticipantInput",
  "StoreUserInput",
  "GetUserInput",
  "ConnectParticipantWithLexBot",
]);

/** Block types that change recording (and Contact Lens) behaviour. */
export const RECORDING_TYPES: ReadonlySet<string> = new Set([
  "UpdateContactRecordingBehavior",
  "UpdateContactRecordingAndAnalyticsBehavior",
]);

/** Where in a block a sensitive topic was found (never the text itself). */
export type SensitiveSource =
  | "Identifier"
  | "prompt"
  | "Lex bot"
  | "Lex session attribute"
  | "condition operand"
  | "stored as attribute"
  | "input encryption"
  | "prompt not readable"
  | "preceding prompt";

/** An input-capture block that asks for sensitive data. */
export interface SensitiveInputBlock {
  id: string;
  type: string;
  topics: string[];
  sources: SensitiveSource[];
  /** Attribute keys the captured input is written to, when those keys name sensitive data. */
  attributeKeys: string[];
  /**
   * Blocks before this one that asked the sensitive question its input answers on some path: a prompt
   * block ({@link PROMPT_TYPES}) naming a topic, or a sensitive input block whose error branch leads here
   * (asked again). Present only when there is one; `analyzeRecording`'s violations name the one on the
   * path shown.
   */
  promptedBy?: string[];
}

/** A block before an input whose prompt (or identifier) names sensitive topics. */
export interface PrecedingPrompt {
  id: string;
  topics: string[];
}

/** Block types that only play a prompt: the question a later input block answers may be asked here. */
export const PROMPT_TYPES: ReadonlySet<string> = new Set(["MessageParticipant"]);

/** A sensitive block reachable with recording not proven off, and one path that shows it. */
export interface RecordedSensitiveInput {
  block: SensitiveInputBlock;
  state: RecordingState;
  /**
   * Why the path counts as recorded: `on` = a block turned recording on; `unknown` = a flow module ran
   * after the last pause; `inherited` = never paused.
   */
  recording: "on" | "unknown" | "inherited";
  /** Identifiers from StartAction to the block (long paths keep both ends). */
  path: string[];
  /**
   * The recording blocks (and flow modules) on that path, in order, with the state each one sets.
   * `viaError`: the path leaves the block by an error branch, so its change is not proven to apply.
   */
  recordingBlocks: Array<{
    id: string;
    conversation?: RecordingSwitch;
    ivr?: RecordingSwitch;
    viaError?: true;
  }>;
}

export interface RecordingAnalysis {
  sensitiveBlocks: SensitiveInputBlock[];
  /** Every sensitive block reachable on some path where recording is (or may be) on. */
  violations: RecordedSensitiveInput[];
  /** Blocks that hand the contact elsewhere (its recording state travels with it). */
  exits: Array<{ id: string; type: string }>;
  reachable: number;
  total: number;
}

const EXIT_TYPES = new Set(["TransferToFlow", "InvokeFlowModule", "TransferContactToQueue"]);
const UNKNOWN: RecordingState = { conversation: "unknown", ivr: "unknown" };
const MAX_PATH = 40;

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * The recording change a block makes, per part; absent parts are unchanged. Values that are not the
 * documented static ones (a dynamic `$.Attributes.x`) count as `on`: only a literal pause proves off.
 */
export function recordingChange(action: FlowAction): Partial<RecordingState> {
  let behavior: Record<string, unknown> | undefined;
  if (action.type === "UpdateContactRecordingBehavior") behavior = obj(action.parameters.RecordingBehavior);
  else if (action.type === "UpdateContactRecordingAndAnalyticsBehavior")
    behavior = obj(obj(action.parameters.VoiceBehavior)?.VoiceRecordingBehavior);
  if (!behavior) return {};
  const change: Partial<RecordingState> = {};
  if ("RecordedParticipants" in behavior) {
    const p = behavior.RecordedParticipants;
    change.conversation = Array.isArray(p) && p.length === 0 ? "off" : "on";
  }
  if ("IVRRecordingBehavior" in behavior)
    change.ivr = behavior.IVRRecordingBehavior === "Disabled" ? "off" : "on";
  return change;
}

function textsOf(a: FlowAction): Array<[SensitiveSource, string]> {
  const out: Array<[SensitiveSource, string]> = [["Identifier", a.id]];
  const p = a.parameters;
  for (const k of ["Text", "SSML"]) if (typeof p[k] === "string") out.push(["prompt", p[k] as string]);
  const lex = obj(p.LexBot);
  if (typeof lex?.Name === "string") out.push(["Lex bot", lex.Name]);
  const lex2 = obj(p.LexV2Bot);
  if (typeof lex2?.AliasArn === "string") out.push(["Lex bot", lex2.AliasArn]);
  for (const [k, v] of Object.entries(obj(p.LexSessionAttributes) ?? {})) {
    out.push(["Lex session attribute", k]);
    if (typeof v === "string") out.push(["Lex session attribute", v]);
  }
  for (const o of a.conditionOperands) out.push(["condition operand", o]);
  return out;
}

/** GetParticipantInput with `StoreInput` "True" (or the legacy StoreUserInput): input kept as a value. */
function storesInput(a: FlowAction): boolean {
  const v = a.parameters.StoreInput;
  return (
    a.type === "StoreUserInput" ||
    (a.type === "GetParticipantInput" && (v === "True" || v === true || v === "true"))
  );
}

/** Static Text or SSML with words in it; a PromptId, Media, a `$.` reference or bare SSML tags are not. */
function promptReadable(a: FlowAction): boolean {
  return ["Text", "SSML"].some((k) => {
    const v = a.parameters[k];
    return typeof v === "string" && !v.trim().startsWith("$.") && normaliseWords(v) !== "";
  });
}

/** Keys (contact, Lambda or flow attributes), within a few blocks after `a`, that receive the captured input or Lex slots. */
function storedAs(flow: Flow, a: FlowAction): string[] {
  const keys: string[] = [];
  const seen = new Set([a.id]);
  let frontier = [a.id];
  for (let depth = 0; depth < 3 && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const e of flow.actions.get(id)?.edges ?? []) {
        const b = flow.actions.get(e.to);
        if (!b || seen.has(b.id)) continue;
        seen.add(b.id);
        next.push(b.id);
        const p = b.parameters;
        // Contact attributes and Lambda inputs map keys to strings; flow attributes (UpdateFlowAttributes,
        // the Flow destination of "Set contact attributes") map keys to `{ Value }`.
        for (const bag of [p.Attributes, p.LambdaInvocationAttributes, p.FlowAttributes]) {
          for (const [k, raw] of Object.entries(obj(bag) ?? {})) {
            const v = typeof raw === "string" ? raw : obj(raw)?.Value;
            if (typeof v === "string" && /\$\.(StoredCustomerInput|Lex\.)/.test(v)) keys.push(k, v);
          }
        }
      }
    }
    frontier = next;
  }
  return keys;
}

/**
 * Whether an input-capture block asks for sensitive data: its identifier, prompt text, Lex bot,
 * intents or the attribute keys its input is stored under name a topic of `SENSITIVE_TOPICS`, or —
 * when it captures a value (stored digits or speech to a Lex bot, see {@link capturesValue}) — one of
 * the `preceding` prompts that asked the question does.
 *
 * @example
 * ```ts
 * sensitiveInput(flow, storeInput, [{ id: "Ask DOB", topics: ["date-of-birth"] }])?.sources; // ["preceding prompt"]
 * ```
 */
export function sensitiveInput(
  flow: Flow,
  a: FlowAction,
  preceding: readonly PrecedingPrompt[] = [],
): SensitiveInputBlock | undefined {
  if (!INPUT_CAPTURE_TYPES.has(a.type)) return undefined;
  const topics = new Set<string>();
  const sources = new Set<SensitiveSource>();
  for (const [source, text] of textsOf(a)) {
    const t = sensitiveTopics(text);
    if (t.length > 0) {
      sources.add(source);
      for (const id of t) topics.add(id);
    }
  }
  // Encrypting the input is the flow's own statement that it is sensitive (Store customer input exists
  // to encrypt input such as card numbers), whatever the prompt says or whether it can be read.
  if (obj(a.parameters.InputEncryption)) {
    sources.add("input encryption");
    topics.add("encrypted-input");
  }
  const attributeKeys: string[] = [];
  const stored = storedAs(flow, a);
  for (let i = 0; i < stored.length; i += 2) {
    const key = stored[i]!;
    const t = [...sensitiveTopics(key), ...sensitiveTopics(stored[i + 1]!)];
    if (t.length > 0) {
      sources.add("stored as attribute");
      attributeKeys.push(key.slice(0, 64));
      for (const id of t) topics.add(id);
    }
  }
  // The question may be asked by a prompt block before this one ("Please key in your date of birth",
  // then Store customer input "followed by the pound key"): a block that captures a value answers it.
  // A one-key menu does not (one digit is no date of birth).
  const promptedBy: string[] = [];
  if (capturesValue(a))
    for (const p of preceding) {
      // A retry of this very block (its error branch back to it) is its own question, already read.
      if (p.topics.length === 0 || p.id === a.id) continue;
      promptedBy.push(p.id);
      for (const id of p.topics) topics.add(id);
    }
  if (promptedBy.length > 0) sources.add("preceding prompt");
  // Stored input (digits kept as a value, not a one-key menu choice) behind a prompt with no words to
  // read: what it asks for is unknown, so it is not assumed harmless.
  if (topics.size === 0 && storesInput(a) && !promptReadable(a)) {
    topics.add("unreadable-prompt");
    sources.add("prompt not readable");
  }
  if (topics.size === 0) return undefined;
  return {
    id: a.id,
    type: a.type,
    topics: [...topics].sort(),
    sources: [...sources],
    attributeKeys,
    ...(promptedBy.length > 0 ? { promptedBy: [...new Set(promptedBy)].sort() } : {}),
  };
}

/**
 * An input block that captures a value, so that it can answer a question asked before it: stored input
 * (Store customer input, or Get customer input with StoreInput) or speech to a Lex bot.
 */
export function capturesValue(a: FlowAction): boolean {
  const p = a.parameters;
  return (
    storesInput(a) ||
    a.type === "ConnectParticipantWithLexBot" ||
    (INPUT_CAPTURE_TYPES.has(a.type) && (obj(p.LexV2Bot) !== undefined || obj(p.LexBot) !== undefined))
  );
}

/** Sensitive topics a prompt block's identifier or static prompt names (none → empty array). */
function promptTopics(a: FlowAction): string[] {
  if (!PROMPT_TYPES.has(a.type)) return [];
  const topics = new Set<string>();
  for (const t of [a.id, a.parameters.Text, a.parameters.SSML])
    if (typeof t === "string") for (const id of sensitiveTopics(t)) topics.add(id);
  return [...topics].sort();
}

/**
 * What a block leaves pending for the next input block, along one edge: a prompt block that names a
 * sensitive topic asks the question itself; an input block answers whatever was pending when left by a
 * success branch (NextAction, a condition), and leaves it pending — with its own sensitive question —
 * when left by an error branch (timeout, invalid entry: the flow asks again); every other block (attributes,
 * recording, Compare, Lambda, a neutral prompt, a flow module) leaves pending what was.
 * `undefined` in `pending` = nothing sensitive pending.
 */
function askedAfter(
  a: FlowAction,
  via: FlowEdge["via"],
  pending: PrecedingPrompt | undefined,
  known: ReadonlyMap<string, SensitiveInputBlock>,
): PrecedingPrompt | undefined {
  if (INPUT_CAPTURE_TYPES.has(a.type)) {
    if (via !== "error") return undefined;
    const own = known.get(a.id);
    return own ? { id: a.id, topics: own.topics } : pending;
  }
  const topics = promptTopics(a);
  return topics.length > 0 ? { id: a.id, topics } : pending;
}

/**
 * For each value-capturing input block, the reachable blocks that can leave a sensitive question pending
 * for it (see `askedAfter`): walking back from the block through blocks that leave pending what was, up
 * to a prompt block that names a topic, or an input block left by an error branch whose own question is
 * sensitive. Agrees with the pending question `analyzeRecording` carries forward on some path.
 */
function precedingPrompts(
  flow: Flow,
  known: ReadonlyMap<string, SensitiveInputBlock>,
): Map<string, PrecedingPrompt[]> {
  const reachable = reachableActions(flow);
  const into = new Map<string, Array<{ from: FlowAction; via: FlowEdge["via"] }>>();
  for (const a of flow.actions.values()) {
    if (!reachable.has(a.id)) continue;
    for (const e of a.edges) {
      const list = into.get(e.to) ?? [];
      list.push({ from: a, via: e.via });
      into.set(e.to, list);
    }
  }
  const out = new Map<string, PrecedingPrompt[]>();
  for (const target of flow.actions.values()) {
    if (!reachable.has(target.id) || !capturesValue(target)) continue;
    const found = new Map<string, PrecedingPrompt>();
    const expanded = new Set<string>();
    const stack = [target.id];
    while (stack.length > 0) {
      const id = stack.pop()!;
      for (const { from, via } of into.get(id) ?? []) {
        const asked = askedAfter(from, via, undefined, known);
        if (asked) found.set(asked.id, asked);
        // Only a block that leaves pending what was pending before it lets the walk go further back.
        else if (!(INPUT_CAPTURE_TYPES.has(from.type) && via !== "error") && !expanded.has(from.id)) {
          expanded.add(from.id);
          stack.push(from.id);
        }
      }
    }
    if (found.size > 0) out.set(target.id, [...found.values()]);
  }
  return out;
}

const STATES: RecordingSwitch[] = ["on", "off", "inherited", "unknown"];
const stateKey = (id: string, s: RecordingState) =>
  `${STATES.indexOf(s.conversation)}${STATES.indexOf(s.ivr)}${id}`;

/**
 * Track recording state along every path from StartAction (breadth-first over block × state ×
 * whether a sensitive question is pending, so cycles terminate after at most 32 visits per block) and
 * report every sensitive input block reached with recording on — or never paused, when
 * `assumeOnAtStart`, or unknown after a flow module — on at least one path. A block that captures a
 * value is sensitive on a path where a prompt block asked a sensitive question not yet answered (see
 * `askedAfter`), and only there: the path given runs through that prompt. Each block is shown on its
 * worst path (a named topic before an unreadable prompt, then on, unknown, inherited), the shortest one.
 *
 * An error branch of a recording block may be taken without the change applied, so it carries both
 * the state before and the state after. After `InvokeFlowModule` recording is `unknown`.
 * Recording changed outside the flow (a Lambda calling SuspendContactRecording) is not visible here.
 *
 * @example
 * ```ts
 * const { violations } = analyzeRecording(parseFlow(content), { assumeOnAtStart: true });
 * violations[0]?.path; // ["start", "Enable recording", "Get date of birth"]
 * ```
 */
export function analyzeRecording(flow: Flow, options: { assumeOnAtStart: boolean }): RecordingAnalysis {
  // What each input block asks by itself; `known` = with a topic named, not only an unreadable prompt.
  const sensitive = new Map<string, SensitiveInputBlock>();
  const known = new Map<string, SensitiveInputBlock>();
  for (const a of flow.actions.values()) {
    const s = sensitiveInput(flow, a);
    if (!s) continue;
    sensitive.set(a.id, s);
    if (isKnown(s)) known.set(a.id, s);
  }
  const preceding = precedingPrompts(flow, known);
  /** The block as a path that left `asked` pending reaches it (memoised per block and question). */
  const withQuestion = new Map<string, SensitiveInputBlock | undefined>();
  const blockAt = (a: FlowAction, asked: PrecedingPrompt | undefined) => {
    if (!asked || asked.id === a.id || !capturesValue(a)) return sensitive.get(a.id);
    const k = `${asked.id}\u0000${a.id}`;
    if (!withQuestion.has(k)) withQuestion.set(k, sensitiveInput(flow, a, [asked]));
    return withQuestion.get(k);
  };
  const initial: RecordingState = options.assumeOnAtStart
    ? { conversation: "inherited", ivr: "inherited" }
    : { conversation: "off", ivr: "off" };
  /**
   * `viaError`: entered by an error branch of the parent without the parent's change applied. `asked`:
   * the sensitive question pending on this path (the nearest block that asked it); only whether one is
   * pending is part of the visited key, so each block is visited at most 32 times.
   */
  type Node = {
    id: string;
    state: RecordingState;
    asked?: PrecedingPrompt;
    parent?: Node;
    viaError?: true;
  };
  const seen = new Set<string>();
  const queue: Node[] = [];
  const visit = (
    id: string,
    state: RecordingState,
    asked: PrecedingPrompt | undefined,
    parent?: Node,
    viaError?: true,
  ) => {
    const k = `${asked ? 1 : 0}${stateKey(id, state)}`;
    if (seen.has(k) || !flow.actions.has(id)) return;
    seen.add(k);
    queue.push({
      id,
      state,
      ...(asked ? { asked } : {}),
      ...(parent ? { parent } : {}),
      ...(viaError ? { viaError } : {}),
    });
  };
  visit(flow.startAction, initial, undefined);
  const violations: RecordedSensitiveInput[] = [];
  const reported = new Set<string>();
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    const action = flow.actions.get(node.id)!;
    // The state *at* a block is the one it was entered with; a recording block changes what follows.
    const block = blockAt(action, node.asked);
    if (block) {
      const recording = recordedAs(node.state);
      const key = `${node.id}|${recording}|${isKnown(block)}`;
      if (recording && !reported.has(key)) {
        reported.add(key);
        violations.push(describe(flow, block, node, recording));
      }
    }
    const change = effectOf(action);
    const after: RecordingState = { ...node.state, ...change };
    const changes = Object.keys(change).length > 0;
    for (const e of action.edges) {
      const asked = askedAfter(action, e.via, node.asked, known);
      visit(e.to, after, asked, node);
      if (changes && e.via === "error" && action.type !== "InvokeFlowModule")
        visit(e.to, node.state, asked, node, true);
    }
  }
  // One entry per block: a path where it asks for a named topic outranks one where its prompt is only
  // unreadable; then `on` outranks `unknown`, which outranks `inherited`; then the shortest path.
  const rank = (v: RecordedSensitiveInput) =>
    (isKnown(v.block) ? 3 : 0) + { on: 2, unknown: 1, inherited: 0 }[v.recording];
  const byBlock = new Map<string, RecordedSensitiveInput>();
  for (const v of violations) {
    const prev = byBlock.get(v.block.id);
    if (!prev || rank(v) > rank(prev)) byBlock.set(v.block.id, v);
  }
  const reachable = reachableActions(flow);
  const exits = [...flow.actions.values()]
    .filter((a) => EXIT_TYPES.has(a.type) && reachable.has(a.id))
    .map((a) => ({ id: a.id, type: a.type }));
  const sensitiveBlocks: SensitiveInputBlock[] = [];
  for (const a of flow.actions.values()) {
    const prompts = preceding.get(a.id);
    const s = prompts ? sensitiveInput(flow, a, prompts) : sensitive.get(a.id);
    if (s) sensitiveBlocks.push(s);
  }
  return {
    sensitiveBlocks,
    violations: [...byBlock.values()],
    exits,
    reachable: reachable.size,
    total: flow.actions.size,
  };

  function describe(
    f: Flow,
    block: SensitiveInputBlock,
    node: Node,
    recording: "on" | "unknown" | "inherited",
  ): RecordedSensitiveInput {
    const nodes: Node[] = [];
    for (let n: Node | undefined = node; n; n = n.parent) nodes.push(n);
    nodes.reverse();
    const ids = nodes.map((n) => n.id);
    const recordingBlocks: RecordedSensitiveInput["recordingBlocks"] = [];
    for (let i = 0; i < nodes.length - 1; i++) {
      const change = effectOf(f.actions.get(nodes[i]!.id)!);
      if (Object.keys(change).length === 0) continue;
      recordingBlocks.push({
        id: nodes[i]!.id,
        ...change,
        ...(nodes[i + 1]!.viaError ? { viaError: true } : {}),
      });
    }
    const path =
      ids.length <= MAX_PATH
        ? ids
        : [...ids.slice(0, 10), `…${ids.length - MAX_PATH + 1} more…`, ...ids.slice(-29)];
    return { block, state: node.state, recording, path, recordingBlocks };
  }
}

/** What a block does to recording: its change, or `unknown` for both parts after a flow module. */
function effectOf(action: FlowAction): Partial<RecordingState> {
  return action.type === "InvokeFlowModule" ? UNKNOWN : recordingChange(action);
}

/** A block that names a sensitive topic, not only one whose prompt cannot be read. */
function isKnown(b: SensitiveInputBlock): boolean {
  return b.topics.some((t) => t !== "unreadable-prompt");
}

function recordedAs(s: RecordingState): "on" | "unknown" | "inherited" | undefined {
  if (s.conversation === "on" || s.ivr === "on") return "on";
  if (s.conversation === "unknown" || s.ivr === "unknown") return "unknown";
  if (s.conversation === "inherited" || s.ivr === "inherited") return "inherited";
  return undefined;
}

/** Contact Lens settings one block applies. */
export interface AnalyticsSetting {
  id: string;
  type: string;
  channel: "voice" | "chat" | "any";
  enabled: boolean;
  redaction: {
    enabled: boolean;
    results?: string;
    maskMode?: string;
    /** Entity types listed; undefined = none listed (Contact Lens redacts all it supports). */
    entities?: string[];
  };
  /** Chat only: redaction of messages while in flight. */
  inFlightRedaction?: { enabled: boolean; entities?: string[] };
}

const truthy = (v: unknown) => v === true || v === "True" || v === "true" || v === "Enabled";

function redactionOf(conf: Record<string, unknown> | undefined): AnalyticsSetting["redaction"] {
  const entities = Array.isArray(conf?.RedactionEntities)
    ? conf.RedactionEntities.filter((e): e is string => typeof e === "string")
    : undefined;
  return {
    enabled: truthy(conf?.Enabled),
    ...(typeof conf?.RedactionResults === "string" ? { results: conf.RedactionResults } : {}),
    ...(typeof conf?.RedactionMaskMode === "string" ? { maskMode: conf.RedactionMaskMode } : {}),
    ...(entities && entities.length > 0 ? { entities } : {}),
  };
}

/**
 * Contact Lens settings of every reachable block that sets analytics behaviour: the legacy
 * `UpdateContactRecordingBehavior.AnalyticsBehavior` and the voice / chat behaviours of
 * `UpdateContactRecordingAndAnalyticsBehavior`.
 *
 * @example
 * ```ts
 * analyticsSettings(flow)[0]; // { id: "c2a7…", channel: "any", enabled: true, redaction: { enabled: false, … } }
 * ```
 */
export function analyticsSettings(flow: Flow): AnalyticsSetting[] {
  const reachable = reachableActions(flow);
  const out: AnalyticsSetting[] = [];
  for (const a of flow.actions.values()) {
    if (!reachable.has(a.id)) continue;
    const p = a.parameters;
    if (a.type === "UpdateContactRecordingBehavior") {
      const ab = obj(p.AnalyticsBehavior);
      if (!ab) continue;
      const entities = Array.isArray(ab.AnalyticsRedactionEntities)
        ? ab.AnalyticsRedactionEntities.filter((e): e is string => typeof e === "string")
        : undefined;
      out.push({
        id: a.id,
        type: a.type,
        channel: "any",
        enabled: truthy(ab.Enabled),
        redaction: {
          enabled: ab.AnalyticsRedactionBehavior === "Enabled",
          ...(typeof ab.AnalyticsRedactionResults === "string"
            ? { results: ab.AnalyticsRedactionResults }
            : {}),
          ...(entities && entities.length > 0 ? { entities } : {}),
        },
      });
    } else if (a.type === "UpdateContactRecordingAndAnalyticsBehavior") {
      const voice = obj(obj(p.VoiceBehavior)?.VoiceAnalyticsBehavior);
      if (voice) {
        out.push({
          id: a.id,
          type: a.type,
          channel: "voice",
          enabled: truthy(voice.Enabled),
          redaction: redactionOf(obj(voice.ConversationalAnalyticsRedactionConfiguration)),
        });
      }
      const chat = obj(obj(p.ChatBehavior)?.ChatAnalyticsBehavior);
      if (chat) {
        const inFlight = obj(chat.InFlightChatRedactionConfiguration);
        const inFlightRedaction = inFlight ? redactionOf(inFlight) : undefined;
        out.push({
          id: a.id,
          type: a.type,
          channel: "chat",
          enabled: truthy(chat.Enabled),
          redaction: redactionOf(obj(chat.ConversationalAnalyticsRedactionConfiguration)),
          ...(inFlightRedaction
            ? {
                inFlightRedaction: {
                  enabled: inFlightRedaction.enabled,
                  ...(inFlightRedaction.entities ? { entities: inFlightRedaction.entities } : {}),
                },
              }
            : {}),
        });
      }
    }
  }
  return out;
}

/**
 * Keys of contact attributes the flow sets (UpdateContactAttributes), for PHI-in-metadata checks.
 */
export function contactAttributeKeys(flow: Flow): string[] {
  const keys = new Set<string>();
  for (const a of flow.actions.values()) {
    if (a.type !== "UpdateContactAttributes") continue;
    for (const k of Object.keys(obj(a.parameters.Attributes) ?? {})) keys.add(k);
  }
  return [...keys];
}
