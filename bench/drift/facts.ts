// Facts for the drift benchmarks, resolved from the corpus itself as the handler resolves them before
// evaluating: the inventory (latest item of each resource, looked up by id or ARN — managed policies are
// referenced by ARN) and what DescribeKey says of each key. Inventory snapshots are what the inventory store
// gives back: the normalised snapshot's JSON, parsed (packages/aws/src/store/inventory-store.ts), so no
// normalised object outlives its item here — keeping 2,000 of them alive while the normaliser warms up made
// V8 pretenure its allocation sites (allocate straight into the old generation), which the handler, which
// normalises one item at a time, never sees.
import {
  type FactLookup,
  fromConfigurationItem,
  type KeyFacts,
  type ResourceSnapshot,
} from "../../packages/core/src/index.ts";

export interface CorpusInventory {
  byId: Map<string, Map<string, ResourceSnapshot>>;
  byArn: Map<string, Map<string, ResourceSnapshot>>;
  keys: Map<string, KeyFacts>;
  lists: Map<string, ResourceSnapshot[]>;
}

export function corpusInventory(texts: readonly string[]): CorpusInventory {
  const byId = new Map<string, Map<string, ResourceSnapshot>>();
  const byArn = new Map<string, Map<string, ResourceSnapshot>>();
  const keys = new Map<string, KeyFacts>();
  for (const t of texts) {
    const s = JSON.parse(JSON.stringify(fromConfigurationItem(JSON.parse(t)))) as ResourceSnapshot;
    if (s.state !== "present") continue;
    const ids = byId.get(s.resourceType) ?? new Map<string, ResourceSnapshot>();
    ids.set(s.resourceId, s);
    byId.set(s.resourceType, ids);
    if (s.arn)
      (byArn.get(s.resourceType) ?? byArn.set(s.resourceType, new Map()).get(s.resourceType)!).set(s.arn, s);
    if (s.resourceType === "AWS::KMS::Key" && s.arn) {
      const facts: KeyFacts = {
        arn: s.arn,
        keyManager: s.configuration.keyManager === "AWS" ? "AWS" : "CUSTOMER",
        keyState: "Enabled",
        rotationEnabled: s.supplementary.KeyRotationStatus === true,
      };
      keys.set(s.arn, facts);
      keys.set(s.resourceId, facts);
    }
  }
  const lists = new Map([...byId].map(([type, ids]) => [type, [...ids.values()]]));
  return { byId, byArn, keys, lists };
}

/** Every fact answered from the corpus; account-level Block Public Access as given. */
export function corpusFacts(inv: CorpusInventory, accountRestrictPublicBuckets: boolean): FactLookup {
  return {
    kmsKey: (ref) => {
      const k = inv.keys.get(ref);
      if (k) return { ok: true, value: k };
      if (ref === "alias/aws/s3") return { ok: true, value: { arn: ref, keyManager: "AWS" } };
      return { ok: false, reason: "NotFoundException" };
    },
    accountPublicAccessBlock: () => ({
      ok: true,
      value: {
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: true,
        restrictPublicBuckets: accountRestrictPublicBuckets,
      },
    }),
    inventory: (type, _account, id) => {
      if (id === undefined) return inv.lists.get(type) ?? [];
      const one = inv.byId.get(type)?.get(id) ?? inv.byArn.get(type)?.get(id);
      return one ? [one] : [];
    },
  };
}
