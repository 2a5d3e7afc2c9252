import { type CloudTrailClient, DescribeTrailsCommand } from "@aws-sdk/client-cloudtrail";
import {
  type BaseConfigurationItem,
  BatchGetResourceConfigCommand,
  type ConfigServiceClient,
  DescribeConfigurationRecorderStatusCommand,
  DescribeConfigurationRecordersCommand,
  ListDiscoveredResourcesCommand,
  type ResourceKey,
  type ResourceType,
} from "@aws-sdk/client-config-service";
import {
  type ConnectClient,
  DescribeContactFlowCommand,
  DescribeContactFlowModuleCommand,
  type InstanceStorageResourceType,
  ListContactFlowModulesCommand,
  ListContactFlowsCommand,
  ListInstanceAttributesCommand,
  ListInstanceStorageConfigsCommand,
  ListInstancesCommand,
} from "@aws-sdk/client-connect";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { KMSClient } from "@aws-sdk/client-kms";
import type { S3Client } from "@aws-sdk/client-s3";
import { GetPublicAccessBlockCommand, type S3ControlClient } from "@aws-sdk/client-s3-control";
import type { SNSClient } from "@aws-sdk/client-sns";
import {
  CONNECT_FLOW,
  CONNECT_FLOW_MODULE,
  CONNECT_INSTANCE,
  CONNECT_OPTIONAL_STORAGE_TYPES,
  CONNECT_STORAGE_REFUSALS,
  CONNECT_STORAGE_TYPES,
  fromConfigurationItem,
  GLOBAL_TYPES,
  NOT_RECORDED_REASON,
  organizationTrailOwner,
  type Report,
  type ResourceSnapshot,
  recordsType,
  TRAIL_TYPE,
} from "@phiwatch/core";
import {
  type BackoffOptions,
  backoffPause,
  isDenied,
  isThrottle,
  pastDeadline,
  reasonOf,
  withBackoff,
} from "./backoff.ts";
import { enrichSnapshot } from "./enrich.ts";

type UnableToEvaluate = Report.UnableToEvaluate;

/** SDK clients of one region. Omit a client to skip the reads it serves (they are reported as unable). */
export interface RegionClients {
  config: ConfigServiceClient;
  kms?: KMSClient;
  /** EC2, for AWS-managed prefix lists (DescribeManagedPrefixLists) named by security groups. */
  ec2?: EC2Client;
  cloudtrail?: CloudTrailClient;
  connect?: ConnectClient;
  /** S3 Control is account-wide; the first region's client is used. */
  s3control?: S3ControlClient;
  /** S3, for what bucket items lack (Object Ownership of PHI buckets). */
  s3?: S3Client;
  /** DynamoDB and SNS, for what the items of phiwatch's own table and topic lack (`ReadRequest.ownStores`). */
  dynamodb?: DynamoDBClient;
  sns?: SNSClient;
}

export interface ReadRequest {
  accountId: string;
  regions: readonly string[];
  /** Config resource types to enumerate (Connect is read from its own API). */
  resourceTypes: readonly string[];
  /** Read Connect instances and flows (when the controls need them). */
  connect: boolean;
  now: Date;
  backoff?: BackoffOptions;
  /** Buckets whose Object Ownership to read (the PHI buckets of the baseline). */
  enrichBucket?: (s: ResourceSnapshot) => boolean;
  /** ARNs of this deployment's findings table and alerts topic (`enrichSnapshot`'s `ownStores`). */
  ownStores?: readonly string[];
  /**
   * Epoch ms after which no further AWS call is started: no listing (a type of a region, the
   * organisation trails, Connect), no page, batch or backoff pause within one, and no resource read
   * in full. What is left is not enumerated, so nothing of it is called deleted (`stopped` says so).
   */
  deadline?: number;
  /**
   * The share (0–1, default 1) of the time left before `deadline`, when the listings are done, that
   * reading resources in full (enrichment, Connect flow descriptions) may use: the rest is left for
   * evaluating them. Below 1, a run whose reads alone outlast its budget still evaluates some.
   */
  detailShare?: number;
  /**
   * The key (`resourceKey`) to read resources in full from, in key order wrapping round: the sweep's
   * resume point, so that a run stopped by the deadline reads first what it evaluates first.
   */
  from?: string;
}

/** A resource's place in the sweep's order (reading in full, evaluation, resume): type, region, id. */
export const resourceKey = (s: Pick<ResourceSnapshot, "resourceType" | "region" | "resourceId">) =>
  `${s.resourceType}|${s.region}|${s.resourceId}`;

/**
 * `items` sorted by `key`, starting with the first whose key is `from` or after it and wrapping round
 * (the head of the list once every key is before `from`).
 *
 * @example
 * ```ts
 * inKeyOrder([{ key: "a" }, { key: "c" }, { key: "b" }], (x) => x.key, "b"); // b, c, a
 * ```
 */
export function inKeyOrder<T>(items: readonly T[], key: (t: T) => string, from: string | undefined): T[] {
  const sorted = items.map((t) => ({ t, k: key(t) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  const at =
    from === undefined
      ? 0
      : Math.max(
          0,
          sorted.findIndex((x) => x.k >= from),
        );
  return [...sorted.slice(at), ...sorted.slice(0, at)].map((x) => x.t);
}

/** A resource listed whose full read (`ReadRequest.deadline`) was not made: it exists, and was not evaluated. */
export type PendingResource = Pick<ResourceSnapshot, "accountId" | "region" | "resourceType" | "resourceId">;

/** What one read of an account found. */
export interface AccountRead {
  snapshots: ResourceSnapshot[];
  unable: UnableToEvaluate[];
  /**
   * `type|region` pairs enumerated completely (the recorder records the type and every page was
   * read): only there may a resource that was not found be called deleted. Global IAM types use
   * region `global`.
   */
  complete: Set<string>;
  /**
   * Resources listed but not read in full before the deadline (in key order from `from`, the tail):
   * they exist, so a caller must not call them deleted, and has no snapshot of them to evaluate.
   */
  pending: PendingResource[];
  /**
   * Resources listed whose configuration item is `ResourceNotRecorded` (Config stopped recording them):
   * they exist, so a caller must not call them deleted, and there is no configuration to evaluate.
   * Their type stays complete: one such resource does not hold up the deletions of the others.
   */
  unrecorded: PendingResource[];
  /** Set when the deadline passed before every listing was made: how many were left. */
  stopped?: UnableToEvaluate;
}

/** Connect storage associations read per instance: core's list, which connect-storage-encrypted expects whole. */
export { CONNECT_STORAGE_TYPES };

/**
 * Whether Connect refused a storage-type read as not applying (an error named in
 * CONNECT_STORAGE_REFUSALS), as opposed to failing it (throttled, denied, service fault, network).
 */
const isRefusal = (error: unknown) =>
  error instanceof Error &&
  CONNECT_STORAGE_REFUSALS.includes(error.name) &&
  !isThrottle(error) &&
  !isDenied(error);

const BATCH = 100;
const MAX_PAGES = 1000;
const MAX_FLOWS_PER_INSTANCE = 2000;

export const completeKey = (type: string, region: string) =>
  `${type}|${GLOBAL_TYPES.has(type) ? "global" : region}`;

/**
 * In `AccountRead.complete`: the organisation trails another account applies to this one were listed
 * in every swept region (`DescribeTrails` answered everywhere), so one not seen is gone. They are
 * enumerated by CloudTrail, not Config: Config's completeness of the region says nothing about them.
 */
export const ORGANIZATION_TRAILS_COMPLETE = `${TRAIL_TYPE}|organization`;

/** The completeness key under which a resource not read is known to be gone (see `AccountRead.complete`). */
export function completenessOf(
  r: Pick<ResourceSnapshot, "accountId" | "region" | "resourceType" | "resourceId">,
): string {
  return organizationTrailOwner(r) !== undefined
    ? ORGANIZATION_TRAILS_COMPLETE
    : completeKey(r.resourceType, r.region);
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * Read every in-scope resource of an account: AWS Config (`ListDiscoveredResources` +
 * `BatchGetResourceConfig`) for the recorded types, enriched with what Config does not carry (KMS
 * rotation and key policy, trail selectors and logging status, account-level Block Public Access when
 * not recorded), and Amazon Connect instances (attributes, storage configs) and flows from Connect's
 * API. Throttling is retried with backoff; a denied or failed read is returned in `unable` with its
 * reason and the checks that needed it say "cannot prove" — never pass.
 *
 * @example
 * ```ts
 * const read = await readAccount((r) => ({ config: new ConfigServiceClient({ region: r }) }), req);
 * ```
 */
export async function readAccount(
  clientsFor: (region: string) => RegionClients,
  req: ReadRequest,
): Promise<AccountRead> {
  const out: AccountRead = { snapshots: [], unable: [], complete: new Set(), pending: [], unrecorded: [] };
  const nowIso = req.now.toISOString();
  const backoff: BackoffOptions = {
    ...req.backoff,
    ...(req.deadline !== undefined ? { deadline: req.deadline } : {}),
  };
  const send = <T>(fn: () => Promise<T>) => withBackoff(fn, backoff);
  const unable = (u: UnableToEvaluate) => out.unable.push(u);
  const late = () => pastDeadline(req.deadline);
  // Every resource listed, with how to read it in full (enrichment, a Connect flow's description):
  // read after every listing, in key order from `from`, while the time allows.
  const seen = new Set<string>();
  const listed: Array<PendingResource & { load: () => Promise<ResourceSnapshot | undefined> }> = [];
  const list = (r: PendingResource, load: () => Promise<ResourceSnapshot | undefined>) => {
    const k = resourceKey(r);
    if (seen.has(k)) return;
    seen.add(k);
    listed.push({
      accountId: r.accountId,
      region: r.region,
      resourceType: r.resourceType,
      resourceId: r.resourceId,
      load,
    });
  };
  const ready = (s: ResourceSnapshot) => list(s, async () => s);

  // Listings not started (or not finished) because the deadline passed: their types are not complete.
  let skipped = 0;
  for (const region of req.regions) {
    if (late()) {
      skipped += req.resourceTypes.length;
      continue;
    }
    const c = clientsFor(region);
    const recorded = await recordedTypes(c.config, region, req.resourceTypes, send, unable);
    for (const type of req.resourceTypes) {
      if (late()) {
        skipped++;
        continue;
      }
      if (recorded && !recorded.has(type)) {
        // Config does not record this type here: nothing can be said about its resources in this region.
        if (!GLOBAL_TYPES.has(type))
          unable({
            resourceType: type,
            region,
            operation: "config:ListDiscoveredResources",
            reason: NOT_RECORDED_REASON,
          });
        continue;
      }
      const read = await readType(c.config, region, type, send, unable, late, (round) =>
        backoffPause(round, backoff),
      );
      if (!read) continue;
      if (read.stopped) skipped++;
      // An item that exists but could not be read must not look deleted.
      let allRead = true;
      for (const item of read.items) {
        let s: ResourceSnapshot;
        try {
          s = snapshotOf(item);
        } catch (error) {
          allRead = false;
          unable({
            resourceType: type,
            resourceId: item.resourceId,
            region,
            operation: "config:BatchGetResourceConfig",
            reason: reasonOf(error),
          });
          continue;
        }
        if (s.state === "not-recorded") {
          // Listed, so it exists, but Config's item holds no configuration: unknown, not gone (as on the
          // event path, its findings stay as they are). It is not evaluated; the others of its type are.
          out.unrecorded.push({
            accountId: s.accountId,
            region: s.region,
            resourceType: s.resourceType,
            resourceId: s.resourceId,
          });
          unable({
            resourceType: type,
            resourceId: item.resourceId,
            region,
            operation: "config:BatchGetResourceConfig",
            reason:
              "listed, but its configuration item is ResourceNotRecorded: not evaluated, not called deleted",
          });
          continue;
        }
        // Config's own deletion (an item ResourceDeleted…): gone, whatever the listing said.
        if (s.state !== "present") continue;
        list(s, async () => {
          const e = await enrichSnapshot(s, c, {
            now: req.now,
            send,
            unable,
            ...(req.enrichBucket ? { enrichBucket: req.enrichBucket } : {}),
            ...(req.ownStores ? { ownStores: req.ownStores } : {}),
          });
          // Every bucket is stamped with the read's time, as an enriched PHI bucket is: otherwise a bucket
          // taken out of the PHI buckets (no longer enriched) goes back to Config's capture time, older
          // than the last sweep's stamp, and every later verdict on it is ignored as out of date — its
          // findings would stay open until Config next records a change to the bucket.
          return e.resourceType === "AWS::S3::Bucket"
            ? { ...e, capturedAt: maxIso(e.capturedAt, nowIso) }
            : e;
        });
      }
      if (recorded && read.complete && allRead) out.complete.add(completeKey(type, region));
    }
  }

  // Config records a trail only in its owner's account: an organisation trail is read from CloudTrail.
  if (req.resourceTypes.includes(TRAIL_TYPE) && late()) skipped++;
  else if (req.resourceTypes.includes(TRAIL_TYPE)) {
    const org = await organizationTrails(clientsFor, req, send, unable, late);
    for (const { snapshot, region } of org.trails)
      list(snapshot, () => enrichSnapshot(snapshot, clientsFor(region), { now: req.now, send, unable }));
    if (org.stopped) skipped++;
    else if (org.complete) out.complete.add(ORGANIZATION_TRAILS_COMPLETE);
  }

  // IAM types recorded in no swept region were never enumerated: say so once (unless the deadline,
  // not the recorder, left them unread: `stopped` says that).
  for (const type of req.resourceTypes)
    if (
      skipped === 0 &&
      GLOBAL_TYPES.has(type) &&
      !out.complete.has(completeKey(type, "global")) &&
      !listed.some((s) => s.resourceType === type)
    )
      unable({
        resourceType: type,
        operation: "config:ListDiscoveredResources",
        reason: "no swept region records global IAM resources in AWS Config",
      });

  if (
    req.resourceTypes.includes("AWS::S3::AccountPublicAccessBlock") &&
    !listed.some((s) => s.resourceType === "AWS::S3::AccountPublicAccessBlock")
  ) {
    if (late()) skipped++;
    else {
      const first = req.regions[0];
      const s3control = first ? clientsFor(first).s3control : undefined;
      const pab = await accountPublicAccessBlock(s3control, req, first ?? "us-east-1", send, unable);
      if (pab) {
        ready(pab);
        out.complete.add(completeKey("AWS::S3::AccountPublicAccessBlock", pab.region));
      }
    }
  }

  if (req.connect)
    for (const region of req.regions) {
      if (late()) {
        skipped++;
        continue;
      }
      const connect = clientsFor(region).connect;
      if (!connect) {
        unable({
          resourceType: CONNECT_INSTANCE,
          region,
          operation: "connect:ListInstances",
          reason: "no Connect client configured",
        });
        continue;
      }
      // A flow whose description failed leaves the region's flows incomplete (none is called deleted).
      const flowsFailed = () => {
        out.complete.delete(completeKey(CONNECT_FLOW, region));
        out.complete.delete(completeKey(CONNECT_FLOW_MODULE, region));
      };
      const r = await readConnect(connect, region, req, send, unable, late, flowsFailed);
      for (const s of r.snapshots) ready(s);
      for (const f of r.flows) list(f, f.load);
      for (const k of r.complete) out.complete.add(k);
      if (r.stopped) skipped++;
    }

  // Each resource read in full, in the order the sweep evaluates them from where it resumes: what the
  // time does not allow is left to the next run, which starts with it. Past the share of the time left
  // for reading, the rest is pending: listed (not deleted), not evaluated.
  const order = inKeyOrder(listed, resourceKey, req.from);
  const readBy =
    req.deadline === undefined
      ? undefined
      : Date.now() + Math.max(0, req.deadline - Date.now()) * Math.min(1, Math.max(0, req.detailShare ?? 1));
  let read = 0;
  for (; read < order.length && !pastDeadline(readBy); read++) {
    const s = await order[read]!.load();
    if (s) out.snapshots.push(s);
  }
  out.pending = order.slice(read).map(({ load: _, ...r }) => r);
  if (skipped > 0)
    out.stopped = {
      resourceType: "*",
      operation: "sweep",
      reason: `not read: the run's time budget was spent before ${skipped} listing(s) (a resource type in a region, organisation trails, Connect) were made or finished; nothing of them is resolved as deleted, the next run reads them`,
    };
  return out;
}

type Send = <T>(fn: () => Promise<T>) => Promise<T>;

/**
 * The trails of other accounts that apply to this one — an organisation trail, as a member account
 * sees it — from `DescribeTrails` with shadow trails in every swept region (a multi-region trail shows
 * in each: one snapshot per ARN). Each is a snapshot of THIS account (the trail records its activity),
 * with the trail ARN as resource id, the API's settings as configuration and its home region; the
 * caller adds selectors and status by ARN (a member must name an organisation trail by its ARN).
 * `complete` only when every region answered: only then is one not listed gone.
 */
async function organizationTrails(
  clientsFor: (region: string) => RegionClients,
  req: ReadRequest,
  send: Send,
  unable: (u: UnableToEvaluate) => void,
  late: () => boolean,
): Promise<{
  trails: Array<{ snapshot: ResourceSnapshot; region: string }>;
  complete: boolean;
  /** The deadline passed before every region was asked. */
  stopped: boolean;
}> {
  const byArn = new Map<string, { snapshot: ResourceSnapshot; region: string }>();
  let complete = true;
  for (const region of req.regions) {
    if (late()) return { trails: [...byArn.values()], complete: false, stopped: true };
    const cloudtrail = clientsFor(region).cloudtrail;
    const failed = (reason: string) => {
      complete = false;
      unable({ resourceType: TRAIL_TYPE, region, operation: "cloudtrail:DescribeTrails", reason });
    };
    if (!cloudtrail) {
      failed("no CloudTrail client configured — an organisation trail cannot be seen");
      continue;
    }
    let list: unknown[];
    try {
      const r = await send(() => cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: true })));
      list = r.trailList ?? [];
    } catch (error) {
      failed(reasonOf(error));
      continue;
    }
    for (const raw of list) {
      const t = obj(JSON.parse(JSON.stringify(raw)));
      const arn = t?.TrailARN;
      if (!t || typeof arn !== "string" || byArn.has(arn)) continue;
      // The account's own trails are Config's (under their names); only another account's is added.
      if (organizationTrailOwner({ accountId: req.accountId, resourceId: arn }) === undefined) continue;
      const home = typeof t.HomeRegion === "string" && t.HomeRegion !== "" ? t.HomeRegion : region;
      byArn.set(arn, {
        region,
        snapshot: {
          accountId: req.accountId,
          region: home,
          resourceType: TRAIL_TYPE,
          resourceId: arn,
          ...(typeof t.Name === "string" ? { resourceName: t.Name } : {}),
          arn,
          capturedAt: req.now.toISOString(),
          state: "present",
          configuration: t,
          supplementary: {},
          tags: {},
          source: "api",
        },
      });
    }
  }
  return { trails: [...byArn.values()], complete, stopped: false };
}

/** Types the region's recorder records, or undefined when that could not be read (then nothing is called deleted). */
async function recordedTypes(
  config: ConfigServiceClient,
  region: string,
  wanted: readonly string[],
  send: Send,
  unable: (u: UnableToEvaluate) => void,
): Promise<Set<string> | undefined> {
  try {
    const [recorders, statuses] = await Promise.all([
      send(() => config.send(new DescribeConfigurationRecordersCommand({}))),
      send(() => config.send(new DescribeConfigurationRecorderStatusCommand({}))),
    ]);
    const out = new Set<string>();
    for (const rec of recorders.ConfigurationRecorders ?? []) {
      const status = statuses.ConfigurationRecordersStatus?.find((s) => s.name === rec.name);
      if (status && status.recording !== true) continue;
      for (const t of wanted) if (recordsType(rec.recordingGroup, t, region)) out.add(t);
    }
    return out;
  } catch (error) {
    unable({
      resourceType: "*",
      region,
      operation: "config:DescribeConfigurationRecorders",
      reason: `${reasonOf(error)} — deleted resources will not be resolved in this region`,
    });
    return undefined;
  }
}

/** Every current configuration item of one type in one region, or undefined when enumeration failed. */
async function readType(
  config: ConfigServiceClient,
  region: string,
  type: string,
  send: Send,
  unable: (u: UnableToEvaluate) => void,
  late: () => boolean,
  /** Wait before asking again for unprocessed keys (round 1, 2, …). */
  pause: (round: number) => Promise<void>,
): Promise<{ items: BaseConfigurationItem[]; complete: boolean; stopped?: boolean } | undefined> {
  const keys: ResourceKey[] = [];
  let incomplete = false;
  let noId = 0;
  try {
    let nextToken: string | undefined;
    let pages = 0;
    do {
      // Past the deadline, no further page: what was not listed is not known to exist or to be gone.
      if (pages > 0 && late()) return { items: [], complete: false, stopped: true };
      const r = await send(() =>
        config.send(
          new ListDiscoveredResourcesCommand({
            resourceType: type as ResourceType,
            includeDeletedResources: false,
            ...(nextToken ? { nextToken } : {}),
          }),
        ),
      );
      for (const id of r.resourceIdentifiers ?? [])
        if (id.resourceId) keys.push({ resourceType: type as ResourceType, resourceId: id.resourceId });
        else noId++;
      nextToken = r.nextToken;
    } while (nextToken && ++pages < MAX_PAGES);
    if (noId > 0) {
      // Listed without an id: something exists that cannot be fetched, so none missing is known to be gone.
      unable({
        resourceType: type,
        region,
        operation: "config:ListDiscoveredResources",
        reason: `${noId} resource(s) listed without a resourceId: nothing of the type is called deleted this run`,
      });
      incomplete = true;
    }
    if (nextToken) {
      // Stopped with pages left: what was listed is evaluated, but the rest is not known to be gone.
      unable({
        resourceType: type,
        region,
        operation: "config:ListDiscoveredResources",
        reason: `stopped after ${MAX_PAGES} pages with more left`,
      });
      incomplete = true;
    }
  } catch (error) {
    unable({
      resourceType: type,
      region,
      operation: "config:ListDiscoveredResources",
      reason: reasonOf(error),
    });
    return undefined;
  }
  const items: BaseConfigurationItem[] = [];
  // Keys listed but not fetched, each named once in `unable`: they exist, so the type is not complete.
  const notFetched = new Set<string>();
  const lost = (k: ResourceKey, reason: string) => {
    if (!k.resourceId || notFetched.has(k.resourceId)) return;
    notFetched.add(k.resourceId);
    unable({
      resourceType: type,
      resourceId: k.resourceId,
      region,
      operation: "config:BatchGetResourceConfig",
      reason,
    });
    incomplete = true;
  };
  for (let i = 0; i < keys.length; i += BATCH) {
    // Past the deadline, no further batch: the keys not fetched exist, so the type is not complete.
    if (late()) return { items, complete: false, stopped: true };
    const batch = keys.slice(i, i + BATCH);
    const before = items.length;
    let pending = batch;
    for (let round = 0; pending.length > 0 && round < 5; round++) {
      // Unprocessed keys come back when Config is busy, and the SDK does not retry them: asking again
      // at once meets the same load, so each round waits longer (as a throttled call would).
      if (round > 0) {
        if (late()) {
          for (const k of pending) lost(k, "still unprocessed when the run's time budget was spent");
          pending = [];
          break;
        }
        await pause(round);
      }
      try {
        const r = await send(() => config.send(new BatchGetResourceConfigCommand({ resourceKeys: pending })));
        items.push(...(r.baseConfigurationItems ?? []));
        pending = r.unprocessedResourceKeys ?? [];
      } catch (error) {
        for (const k of pending) lost(k, reasonOf(error));
        pending = [];
      }
    }
    for (const k of pending) lost(k, "still unprocessed after 5 rounds");
    // A key listed but neither returned nor unprocessed (deleted meanwhile, or left out of the answer):
    // not known to be gone this run, so nothing of the type is called deleted; the next listing decides.
    const returned = new Set(items.slice(before).map((item) => item.resourceId));
    for (const k of batch)
      if (!returned.has(k.resourceId))
        lost(k, "listed, but not returned by BatchGetResourceConfig: not called deleted this run");
  }
  // A resource that could not be fetched must not look deleted: the type is then not complete.
  return { items, complete: !incomplete };
}

/** Tags of a configuration item from what BatchGetResourceConfig returns (it has no `tags` field). */
function tagsOf(
  configuration: Record<string, unknown>,
  supplementary: Record<string, unknown>,
): Record<string, string> {
  const out: Record<string, string> = {};
  const tagging = obj(supplementary.BucketTaggingConfiguration);
  const sets = Array.isArray(tagging?.tagSets) ? tagging.tagSets : [];
  for (const set of sets)
    for (const [k, v] of Object.entries(obj(obj(set)?.tags) ?? {})) if (typeof v === "string") out[k] = v;
  const list = configuration.tags ?? configuration.Tags;
  if (Array.isArray(list))
    for (const t of list) {
      const o = obj(t);
      const k = o?.key ?? o?.Key ?? o?.tagKey ?? o?.TagKey;
      const v = o?.value ?? o?.Value ?? o?.tagValue ?? o?.TagValue;
      if (typeof k === "string" && typeof v === "string") out[k] = v;
    }
  return out;
}

/** A snapshot from a BatchGetResourceConfig item (configuration and supplementary values are JSON strings). */
export function snapshotOf(item: BaseConfigurationItem): ResourceSnapshot {
  const s = fromConfigurationItem(
    {
      ...item,
      configurationItemCaptureTime: item.configurationItemCaptureTime?.toISOString(),
      awsAccountId: item.accountId,
      awsRegion: item.awsRegion,
      ARN: item.arn,
      supplementaryConfiguration: item.supplementaryConfiguration,
    },
    "BatchGetResourceConfig.baseConfigurationItems",
  );
  const tags = tagsOf(s.configuration, s.supplementary);
  return Object.keys(tags).length > 0 ? { ...s, tags: { ...tags, ...s.tags } } : s;
}

async function accountPublicAccessBlock(
  s3control: S3ControlClient | undefined,
  req: ReadRequest,
  region: string,
  send: Send,
  unable: (u: UnableToEvaluate) => void,
): Promise<ResourceSnapshot | undefined> {
  const base = {
    accountId: req.accountId,
    region,
    resourceType: "AWS::S3::AccountPublicAccessBlock",
    resourceId: req.accountId,
    capturedAt: req.now.toISOString(),
    state: "present" as const,
    supplementary: {},
    tags: {},
    source: "api" as const,
  };
  if (!s3control) {
    unable({
      resourceType: base.resourceType,
      operation: "s3:GetAccountPublicAccessBlock",
      reason: "not recorded by AWS Config and no S3 Control client configured",
    });
    return undefined;
  }
  try {
    const r = await send(() => s3control.send(new GetPublicAccessBlockCommand({ AccountId: req.accountId })));
    const c = r.PublicAccessBlockConfiguration ?? {};
    return {
      ...base,
      configuration: {
        BlockPublicAcls: c.BlockPublicAcls === true,
        IgnorePublicAcls: c.IgnorePublicAcls === true,
        BlockPublicPolicy: c.BlockPublicPolicy === true,
        RestrictPublicBuckets: c.RestrictPublicBuckets === true,
      },
    };
  } catch (error) {
    // No configuration at all = every flag off (what AWS applies).
    if ((error as Error).name === "NoSuchPublicAccessBlockConfiguration")
      return {
        ...base,
        configuration: {
          BlockPublicAcls: false,
          IgnorePublicAcls: false,
          BlockPublicPolicy: false,
          RestrictPublicBuckets: false,
        },
      };
    unable({
      resourceType: base.resourceType,
      operation: "s3:GetAccountPublicAccessBlock",
      reason: reasonOf(error),
    });
    return undefined;
  }
}

async function readConnect(
  connect: ConnectClient,
  region: string,
  req: ReadRequest,
  send: Send,
  unable: (u: UnableToEvaluate) => void,
  late: () => boolean,
  /** Called when a flow's or module's description fails (read in full later, with the others). */
  flowsFailed: () => void,
): Promise<{
  snapshots: ResourceSnapshot[];
  /** Flows and modules listed, each described by `load` (undefined: not published, nothing to evaluate). */
  flows: Array<PendingResource & { load: () => Promise<ResourceSnapshot | undefined> }>;
  complete: string[];
  /** The deadline passed before every instance was read. */
  stopped: boolean;
}> {
  const snapshots: ResourceSnapshot[] = [];
  const flows: Array<PendingResource & { load: () => Promise<ResourceSnapshot | undefined> }> = [];
  const complete: string[] = [];
  const now = req.now.toISOString();
  const snap = (
    resourceType: string,
    resourceId: string,
    arn: string | undefined,
    configuration: Record<string, unknown>,
    supplementary: Record<string, unknown> = {},
    name?: string,
  ): ResourceSnapshot => ({
    accountId: req.accountId,
    region,
    resourceType,
    resourceId,
    ...(name ? { resourceName: name } : {}),
    ...(arn ? { arn } : {}),
    capturedAt: now,
    state: "present",
    configuration,
    supplementary,
    tags: {},
    source: "api",
  });
  const instances: Array<Record<string, unknown>> = [];
  let instancesLeft: string | undefined;
  try {
    let pages = 0;
    do {
      const token = instancesLeft;
      const r = await send(() =>
        connect.send(new ListInstancesCommand({ ...(token ? { NextToken: token } : {}) })),
      );
      for (const i of r.InstanceSummaryList ?? [])
        instances.push(JSON.parse(JSON.stringify(i)) as Record<string, unknown>);
      instancesLeft = r.NextToken;
    } while (instancesLeft && ++pages < MAX_PAGES);
  } catch (error) {
    unable({
      resourceType: CONNECT_INSTANCE,
      region,
      operation: "connect:ListInstances",
      reason: reasonOf(error),
    });
    return { snapshots, flows, complete, stopped: false };
  }
  // An instance listed without an id cannot be read, nor told apart from one stored: it exists, so no
  // instance (nor any flow) of the region is known to be gone this run.
  const noId = instances.filter((i) => typeof i.Id !== "string" || i.Id === "").length;
  if (noId > 0)
    unable({
      resourceType: CONNECT_INSTANCE,
      region,
      operation: "connect:ListInstances",
      reason: `${noId} instance(s) listed without an Id: no instance or flow of the region is called deleted this run`,
    });
  // Instances left unlisted (and their flows) are not known to be gone.
  let flowsComplete = !instancesLeft && noId === 0;
  if (instancesLeft)
    unable({
      resourceType: CONNECT_INSTANCE,
      region,
      operation: "connect:ListInstances",
      reason: `stopped after ${MAX_PAGES} pages with more left`,
    });
  else if (noId === 0) complete.push(completeKey(CONNECT_INSTANCE, region));
  for (const inst of instances) {
    if (typeof inst.Id !== "string" || inst.Id === "") continue;
    // Past the deadline, no further instance: one not read must not look deleted, nor its flows.
    if (late()) {
      complete.length = 0;
      return { snapshots, flows, complete, stopped: true };
    }
    const id = String(inst.Id);
    const fail = (operation: string, error: unknown, resourceType = CONNECT_INSTANCE, resourceId = id) =>
      unable({ resourceType, resourceId, region, operation, reason: reasonOf(error) });
    const supplementary: Record<string, unknown> = {};
    try {
      const attrs: unknown[] = [];
      let token: string | undefined;
      do {
        const r = await send(() =>
          connect.send(
            new ListInstanceAttributesCommand({ InstanceId: id, ...(token ? { NextToken: token } : {}) }),
          ),
        );
        attrs.push(...(r.Attributes ?? []));
        token = r.NextToken;
      } while (token);
      supplementary.Attributes = attrs;
    } catch (error) {
      fail("connect:ListInstanceAttributes", error);
    }
    const storage: Record<string, unknown[]> = {};
    const refusals = new Map<string, unknown>();
    for (const type of CONNECT_STORAGE_TYPES) {
      try {
        const list: unknown[] = [];
        let token: string | undefined;
        do {
          const r = await send(() =>
            connect.send(
              new ListInstanceStorageConfigsCommand({
                InstanceId: id,
                ResourceType: type as InstanceStorageResourceType,
                ...(token ? { NextToken: token } : {}),
              }),
            ),
          );
          list.push(...(r.StorageConfigs ?? []));
          token = r.NextToken;
        } while (token);
        storage[type] = list;
      } catch (error) {
        // Left out: the control reads a missing type as "not read" and says cannot prove.
        if (CONNECT_OPTIONAL_STORAGE_TYPES.includes(type) && isRefusal(error)) refusals.set(type, error);
        else fail(`connect:ListInstanceStorageConfigs ${type}`, error);
      }
    }
    // A feature's type refused while the instance answered for recordings or transcripts: the type does
    // not apply to this instance (docs/scan.md). Refused with everything else, it is the instance that
    // fails to answer, and the refusals are reads that failed.
    const answered = CONNECT_STORAGE_TYPES.some(
      (t) => !CONNECT_OPTIONAL_STORAGE_TYPES.includes(t) && t in storage,
    );
    const refused: Record<string, string> = {};
    for (const [type, error] of refusals) {
      if (answered) refused[type] = (error as Error).name;
      else fail(`connect:ListInstanceStorageConfigs ${type}`, error);
    }
    supplementary.StorageConfigs = storage;
    if (Object.keys(refused).length > 0) supplementary.StorageConfigsRefused = refused;
    snapshots.push(
      snap(
        CONNECT_INSTANCE,
        id,
        typeof inst.Arn === "string" ? inst.Arn : undefined,
        inst,
        supplementary,
        typeof inst.InstanceAlias === "string" ? inst.InstanceAlias : undefined,
      ),
    );

    // Each kind with the operations that list and describe it (as `unable` names them) and the field
    // a description answers with.
    for (const [type, list, describe, listOp, describeOp, described] of [
      [
        CONNECT_FLOW,
        "flows",
        "flow",
        "connect:ListContactFlows",
        "connect:DescribeContactFlow",
        "ContactFlow",
      ],
      [
        CONNECT_FLOW_MODULE,
        "modules",
        "module",
        "connect:ListContactFlowModules",
        "connect:DescribeContactFlowModule",
        "ContactFlowModule",
      ],
    ] as const) {
      const summaries: Array<{ Id?: string; Arn?: string; Name?: string }> = [];
      let token: string | undefined;
      let cut = false;
      try {
        do {
          if (late()) {
            cut = true;
            break;
          }
          const r =
            list === "flows"
              ? await send(() =>
                  connect.send(
                    new ListContactFlowsCommand({ InstanceId: id, ...(token ? { NextToken: token } : {}) }),
                  ),
                )
              : await send(() =>
                  connect.send(
                    new ListContactFlowModulesCommand({
                      InstanceId: id,
                      ...(token ? { NextToken: token } : {}),
                    }),
                  ),
                );
          const items =
            "ContactFlowSummaryList" in r
              ? r.ContactFlowSummaryList
              : (r as { ContactFlowModulesSummaryList?: typeof summaries }).ContactFlowModulesSummaryList;
          summaries.push(...(items ?? []));
          token = r.NextToken;
        } while (token && summaries.length < MAX_FLOWS_PER_INSTANCE);
      } catch (error) {
        fail(listOp, error, type);
        flowsComplete = false;
        continue;
      }
      if (cut) {
        // The deadline passed with pages left: the rest are not known to be gone.
        unable({
          resourceType: type,
          resourceId: id,
          region,
          operation: listOp,
          reason: `stopped after ${summaries.length} ${list} of this instance when the run's time budget was spent`,
        });
        flowsComplete = false;
      } else if (token) {
        // Capped with pages left: the ones read are evaluated, the rest are not known to be gone.
        unable({
          resourceType: type,
          resourceId: id,
          region,
          operation: listOp,
          reason: `stopped after ${MAX_FLOWS_PER_INSTANCE} ${list} of this instance with more left`,
        });
        flowsComplete = false;
      }
      const noFlowId = summaries.filter((f) => !f.Id).length;
      if (noFlowId > 0) {
        // Listed without an id: it exists but cannot be described, so no flow of the region is known gone.
        unable({
          resourceType: type,
          resourceId: id,
          region,
          operation: listOp,
          reason: `${noFlowId} ${list} of this instance listed without an Id: none of the region's ${list} is called deleted this run`,
        });
        flowsComplete = false;
      }
      // Each flow is described later, with the other resources read in full, while the time allows.
      for (const f of summaries) {
        if (!f.Id) continue;
        const flowId = f.Id;
        flows.push({
          accountId: req.accountId,
          region,
          resourceType: type,
          resourceId: flowId,
          load: async () => {
            try {
              const detail =
                describe === "flow"
                  ? (
                      await send(() =>
                        connect.send(
                          new DescribeContactFlowCommand({ InstanceId: id, ContactFlowId: flowId }),
                        ),
                      )
                    ).ContactFlow
                  : (
                      await send(() =>
                        connect.send(
                          new DescribeContactFlowModuleCommand({
                            InstanceId: id,
                            ContactFlowModuleId: flowId,
                          }),
                        ),
                      )
                    ).ContactFlowModule;
              if (!detail) {
                // Listed, so it exists: an answer without it proves nothing, and must not read as gone.
                unable({
                  resourceType: type,
                  resourceId: flowId,
                  region,
                  operation: describeOp,
                  reason: `Connect answered without the ${described} it listed`,
                });
                flowsFailed();
                return undefined;
              }
              const configuration = {
                ...(JSON.parse(JSON.stringify(detail)) as Record<string, unknown>),
                InstanceId: id,
              };
              return snap(type, flowId, f.Arn, configuration, {}, f.Name);
            } catch (error) {
              // Saved but never published: Connect cannot route a contact into it, so there is nothing to
              // evaluate, and the listing is still complete (no earlier snapshot of it can exist).
              if ((error as Error).name === "ContactFlowNotPublishedException") return undefined;
              fail(describeOp, error, type, flowId);
              flowsFailed();
              return undefined;
            }
          },
        });
      }
    }
  }
  if (flowsComplete)
    complete.push(completeKey(CONNECT_FLOW, region), completeKey(CONNECT_FLOW_MODULE, region));
  return { snapshots, flows, complete, stopped: false };
}

function maxIso(a: string, b: string): string {
  return a >= b ? a : b;
}
