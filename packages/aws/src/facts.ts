import { DescribeManagedPrefixListsCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { DescribeKeyCommand, GetKeyRotationStatusCommand, type KMSClient } from "@aws-sdk/client-kms";
import {
  accountPublicAccessBlock,
  type FactLookup,
  type FactRequest,
  type FactResult,
  type KeyFacts,
  manualRotation,
  type PrefixListFacts,
  type PublicAccessBlock,
  type ResourceSnapshot,
} from "@phiwatch/core";
import type { InventoryStore } from "./store/inventory-store.ts";

const ANSWER_TTL_MS = 10 * 60 * 1000;
/** A failed read (DescribeKey, DescribeManagedPrefixLists) is asked again sooner (a member role deployed later, a throttle). */
const FAILURE_TTL_MS = 60 * 1000;
/** Whether a cached API answer read at `at` still stands at `now`: 10 minutes, a failure one. */
const fresh = (at: number, result: FactResult<unknown>, now: number) =>
  now - at < (result.ok ? ANSWER_TTL_MS : FAILURE_TTL_MS);
const MAX_CACHE = 5_000;

/** Module-level cache: one DescribeKey per key per 10 minutes per warm Lambda. */
const keyCache = new Map<string, { at: number; result: FactResult<KeyFacts> }>();

/** AWS's prefix lists of one account and region, by id (AWS adds lists seldom: the key TTLs fit). */
type AwsLists = FactResult<Map<string, PrefixListFacts>>;
/** Module-level cache: one DescribeManagedPrefixLists listing per account and region per 10 minutes. */
const prefixListCache = new Map<string, { at: number; result: Promise<AwsLists> }>();
/** Pages of 100 lists: AWS has about a dozen per region, so more pages than this is a loop. */
const MAX_PREFIX_LIST_PAGES = 20;

/** The inventory reads fact resolution needs (an `InventoryStore`, or an `InventoryBatch` over one). */
export type InventoryReader = Pick<InventoryStore, "list" | "get">;

/**
 * Inventory reads memoised for one batch of evaluations: each (account, type) list and each item is
 * read once, however many evaluations ask (re-evaluating a trail's dependants asks for the same
 * bucket and trail lists once per bucket: without it that is O(n²) reads). Concurrent asks share one
 * read. Only for a batch that does not write the inventory between evaluations: a later batch makes
 * a new one, so changes are seen.
 *
 * @example
 * ```ts
 * const batch = new InventoryBatch(inventoryStore);
 * for (const bucket of await batch.list(account, "AWS::S3::Bucket"))
 *   await evaluateAndRecord(deps, bucket, cause, new Date(), batch);
 * ```
 */
export class InventoryBatch implements InventoryReader {
  private readonly lists = new Map<string, Promise<ResourceSnapshot[]>>();
  private readonly items = new Map<string, Promise<ResourceSnapshot | undefined>>();
  /** Reads that reached the store (for tests and metrics). */
  storeReads = 0;

  constructor(private readonly store: InventoryReader) {}

  list(accountId: string, resourceType: string): Promise<ResourceSnapshot[]> {
    const k = `${accountId}|${resourceType}`;
    let p = this.lists.get(k);
    if (!p) {
      this.storeReads++;
      p = this.store.list(accountId, resourceType);
      // A failed read is not remembered: the next ask retries.
      p.catch(() => this.lists.delete(k));
      this.lists.set(k, p);
    }
    return p;
  }

  get(accountId: string, region: string, resourceType: string, resourceId: string) {
    const k = `${accountId}|${region}|${resourceType}|${resourceId}`;
    let p = this.items.get(k);
    if (!p) {
      this.storeReads++;
      p = this.store.get(accountId, region, resourceType, resourceId);
      p.catch(() => this.items.delete(k));
      this.items.set(k, p);
    }
    return p;
  }
}

/** Snapshots of a list by resource id and by ARN, in list order (built once per list). */
const listIndexes = new WeakMap<readonly ResourceSnapshot[], Map<string, ResourceSnapshot[]>>();
function lookup(all: readonly ResourceSnapshot[], ref: string): ResourceSnapshot[] {
  let index = listIndexes.get(all);
  if (!index) {
    index = new Map();
    for (const s of all) {
      const add = (key: string) => {
        const xs = index!.get(key);
        if (xs) xs.push(s);
        else index!.set(key, [s]);
      };
      add(s.resourceId);
      if (s.arn !== undefined && s.arn !== s.resourceId) add(s.arn);
    }
    listIndexes.set(all, index);
  }
  return [...(index.get(ref) ?? [])];
}

/** A KMS client for the key's account and region (KMS answers only in the key's own region). */
export type KmsFor = (accountId: string, region: string) => KMSClient | undefined;

/** An EC2 client for an account and region (a prefix list id names a list of one region). */
export type Ec2For = (accountId: string, region: string) => EC2Client | undefined;

export interface FactSources {
  /** Pass an `InventoryBatch` to share reads between the evaluations of a batch. */
  inventory: InventoryReader;
  /**
   * The KMS client that can DescribeKey a key of this account and region (the function's own
   * credentials, or a member account's read role), or undefined where phiwatch cannot enter that
   * account. Omit in local mode (no KMS endpoint): facts then come from the inventory only.
   */
  kmsFor?: KmsFor;
  /**
   * The EC2 client that can DescribeManagedPrefixLists in this account and region, or undefined where
   * phiwatch cannot enter that account. Omit in local mode (no EC2 endpoint): AWS-managed prefix lists
   * are then unknown, and the control that asks says "cannot prove".
   */
  ec2For?: Ec2For;
}

/**
 * Resolves the facts controls ask for (KMS key manager and rotation, account-level Block Public
 * Access, inventory snapshots, AWS-managed prefix lists): first from the inventory (Config items of
 * `AWS::KMS::Key` and `AWS::S3::AccountPublicAccessBlock`), then from the API (DescribeKey,
 * DescribeManagedPrefixLists: Config never records AWS's lists), cached. A fact that cannot be
 * resolved is returned with the reason, and the control says "cannot prove".
 */
export async function resolveFacts(
  requests: FactRequest[],
  sources: FactSources,
  now = Date.now(),
): Promise<FactLookup> {
  const keys = new Map<string, FactResult<KeyFacts>>();
  const pabs = new Map<string, FactResult<PublicAccessBlock>>();
  const inventories = new Map<string, ResourceSnapshot[]>();
  const prefixLists = new Map<string, FactResult<PrefixListFacts>>();
  // One listing of AWS's lists per account and region however many lists the requests name.
  const awsLists = new Map<string, Promise<AwsLists>>();
  // Requests are resolved concurrently: a per-call memo (unless the caller shares a batch one) makes
  // two requests for the same list one read.
  const inventory =
    sources.inventory instanceof InventoryBatch ? sources.inventory : new InventoryBatch(sources.inventory);
  const src: FactSources = { ...sources, inventory };

  await Promise.all(
    requests.map(async (r) => {
      if (r.kind === "kms-key")
        keys.set(
          `${r.accountId}|${r.region}|${r.ref}`,
          await keyFacts(r.ref, r.accountId, r.region, src, now),
        );
      else if (r.kind === "s3-account-public-access-block") {
        const items = await inventory.list(r.accountId, "AWS::S3::AccountPublicAccessBlock");
        pabs.set(
          r.accountId,
          items[0]
            ? { ok: true, value: accountPublicAccessBlock(items[0]) }
            : { ok: false, reason: "no AWS::S3::AccountPublicAccessBlock item recorded" },
        );
      } else if (r.kind === "inventory") {
        inventories.set(
          `${r.accountId}|${r.resourceType}`,
          await inventory.list(r.accountId, r.resourceType),
        );
      } else if (r.kind === "aws-prefix-list") {
        const at = `${r.accountId}|${r.region}`;
        let lists = awsLists.get(at);
        if (!lists) {
          lists = awsPrefixLists(r.accountId, r.region, src, now);
          awsLists.set(at, lists);
        }
        const read = await lists;
        const found = read.ok ? read.value.get(r.ref) : undefined;
        prefixLists.set(
          `${at}|${r.ref}`,
          !read.ok
            ? read
            : found
              ? { ok: true, value: found }
              : { ok: false, reason: `not an AWS-managed prefix list of ${r.region}` },
        );
      }
    }),
  );

  return {
    // An alias or key id names a key in the asking resource's region: the region is part of the key.
    kmsKey: (ref, accountId, region) => keys.get(`${accountId}|${region}|${ref}`),
    accountPublicAccessBlock: (accountId) => pabs.get(accountId),
    inventory: (resourceType, accountId, resourceId) => {
      const all = inventories.get(`${accountId}|${resourceType}`);
      if (!all) return undefined;
      return resourceId === undefined ? all : lookup(all, resourceId);
    },
    awsManagedPrefixList: (id, accountId, region) => prefixLists.get(`${accountId}|${region}|${id}`),
  };
}

/**
 * AWS's prefix lists in one account and region (`DescribeManagedPrefixLists`, owner AWS), by id, with
 * their owner and name as EC2 returns them; or why they could not be read. Cached like key facts: a
 * listing for 10 minutes, a failure for one (a member role deployed later, a throttle).
 */
function awsPrefixLists(
  accountId: string,
  region: string,
  sources: FactSources,
  now: number,
): Promise<AwsLists> {
  if (!sources.ec2For)
    return Promise.resolve({
      ok: false,
      reason: "no EC2 access in local mode: AWS-managed prefix lists not read",
    });
  const ec2 = sources.ec2For(accountId, region);
  if (!ec2) return Promise.resolve({ ok: false, reason: `no EC2 access to account ${accountId}` });
  const cacheKey = `${accountId}|${region}`;
  const cached = prefixListCache.get(cacheKey);
  // The listing is cached as a promise (concurrent evaluations share one read); whether it still stands
  // depends on its answer.
  if (cached && now - cached.at < ANSWER_TTL_MS)
    return cached.result.then((r) => (fresh(cached.at, r, now) ? r : awsPrefixListsRead(ec2, cacheKey, now)));
  return awsPrefixListsRead(ec2, cacheKey, now);
}

function awsPrefixListsRead(ec2: EC2Client, cacheKey: string, now: number): Promise<AwsLists> {
  const result = (async (): Promise<AwsLists> => {
    const lists = new Map<string, PrefixListFacts>();
    try {
      let token: string | undefined;
      for (let page = 0; page < MAX_PREFIX_LIST_PAGES; page++) {
        const r = await ec2.send(
          new DescribeManagedPrefixListsCommand({
            Filters: [{ Name: "owner-id", Values: ["AWS"] }],
            MaxResults: 100,
            ...(token ? { NextToken: token } : {}),
          }),
        );
        for (const l of r.PrefixLists ?? [])
          if (l.PrefixListId && l.PrefixListName && l.OwnerId)
            lists.set(l.PrefixListId, {
              prefixListId: l.PrefixListId,
              prefixListName: l.PrefixListName,
              ownerId: l.OwnerId,
            });
        token = r.NextToken;
        if (!token) return { ok: true, value: lists };
      }
      return { ok: false, reason: "DescribeManagedPrefixLists did not end its pages" };
    } catch (error) {
      return { ok: false, reason: `DescribeManagedPrefixLists failed: ${(error as Error).name}` };
    }
  })();
  if (prefixListCache.size >= MAX_CACHE) prefixListCache.clear();
  prefixListCache.set(cacheKey, { at: now, result });
  return result;
}

/** Key id from a key id, key ARN or alias; undefined for aliases (which need DescribeKey). */
function keyIdOf(ref: string): string | undefined {
  const m = /:key\/([\w-]+)$/.exec(ref);
  if (m) return m[1];
  if (/^[0-9a-f-]{36}$/.test(ref) || /^mrk-[0-9a-f]{32}$/.test(ref)) return ref;
  return undefined;
}

async function keyFacts(
  ref: string,
  accountId: string,
  region: string,
  sources: FactSources,
  now: number,
): Promise<FactResult<KeyFacts>> {
  let result: FactResult<KeyFacts> | undefined;
  // A key ARN names the key's own account and region (a bucket may use another account's key, and
  // KMS answers only in the key's region); a key id or alias is the item's account and region.
  const arn = /^arn:aws[\w-]*:kms:([\w-]+):(\d{12}):/.exec(ref);
  const keyRegion = arn?.[1] ?? region;
  const keyAccount = arn?.[2] ?? accountId;
  const id = keyIdOf(ref);
  if (id) {
    const item = await sources.inventory.get(keyAccount, keyRegion, "AWS::KMS::Key", id);
    const c = item?.configuration;
    if (c && (c.keyManager === "CUSTOMER" || c.keyManager === "AWS")) {
      result = {
        ok: true,
        value: {
          arn: typeof c.arn === "string" ? c.arn : ref,
          keyManager: c.keyManager,
          ...(typeof c.keyState === "string" ? { keyState: c.keyState } : {}),
          ...(typeof c.origin === "string" ? { origin: c.origin } : {}),
        },
      };
    }
  }
  if (result) return result;
  if (!sources.kmsFor)
    return { ok: false, reason: "no KMS access in local mode and no AWS::KMS::Key item recorded" };
  // The key's account where phiwatch can enter it; else the account that uses the key.
  const kms = sources.kmsFor(keyAccount, keyRegion) ?? sources.kmsFor(accountId, keyRegion);
  if (!kms)
    return { ok: false, reason: `no KMS access to account ${keyAccount} and no AWS::KMS::Key item recorded` };
  // Only API answers are cached: the inventory is re-read, so a key recorded later is seen at once.
  const cacheKey = `${keyAccount}|${keyRegion}|${ref}`;
  const cached = keyCache.get(cacheKey);
  if (cached && fresh(cached.at, cached.result, now)) return cached.result;
  try {
    const d = await kms.send(new DescribeKeyCommand({ KeyId: ref }));
    const md = d.KeyMetadata;
    if (!md?.Arn || (md.KeyManager !== "CUSTOMER" && md.KeyManager !== "AWS")) {
      result = { ok: false, reason: "DescribeKey returned no KeyManager" };
    } else {
      const value: KeyFacts = {
        arn: md.Arn,
        keyManager: md.KeyManager,
        ...(md.KeyState ? { keyState: md.KeyState } : {}),
        ...(md.Origin ? { origin: md.Origin } : {}),
      };
      // KMS refuses GetKeyRotationStatus for a key it cannot rotate automatically (imported material,
      // custom key stores): kms-rotation reads the origin instead.
      if (md.KeyManager === "CUSTOMER" && manualRotation(md.Origin) === undefined) {
        try {
          const rot = await kms.send(new GetKeyRotationStatusCommand({ KeyId: md.Arn }));
          value.rotationEnabled = rot.KeyRotationEnabled === true;
          if (rot.RotationPeriodInDays) value.rotationPeriodInDays = rot.RotationPeriodInDays;
        } catch {
          // rotation unknown: controls that need it say "cannot prove"
        }
      }
      result = { ok: true, value };
    }
  } catch (error) {
    result = { ok: false, reason: `DescribeKey failed: ${(error as Error).name}` };
  }
  result ??= { ok: false, reason: "key not found" };
  if (keyCache.size >= MAX_CACHE) keyCache.clear();
  keyCache.set(cacheKey, { at: now, result });
  return result;
}

/** For tests: forget cached key facts. */
export function clearFactCache(): void {
  keyCache.clear();
  prefixListCache.clear();
}
