import { createHash } from "node:crypto";
import { serviceOfLinkedRole } from "../baseline/match.ts";
import { InvalidEventError } from "../errors.ts";
import { partitionOfResource } from "../policy/resources.ts";
import type { UserIdentity } from "./record.ts";

/** How CloudTrail says the caller authenticated. */
export type PrincipalKind =
  | "iam-user"
  | "role"
  | "sso-user"
  | "federated-user"
  | "root"
  | "service"
  | "account"
  | "web-identity"
  | "saml"
  | "unknown";

/**
 * The stable identity behind a CloudTrail `userIdentity`, as phiwatch learns and alerts on it.
 * `id` is what profiles, windows and findings are keyed by.
 */
export interface Principal {
  /**
   * Stable identity: an IAM user/role ARN, `…:assumed-role/AWSReservedSSO_…/<person>` for IAM Identity
   * Center users (the shared role is not the person), a service principal (`transcribe.amazonaws.com`),
   * `arn:aws:iam::<acct>:root`, or `<kind>:<provider>/<name>` for SAML and web identities.
   */
  id: string;
  kind: PrincipalKind;
  /** Account of the caller (may differ from the account that owns the resource). */
  accountId: string;
  /** ARNs a baseline pattern may name for this caller: role ARN with and without path, assumed-role ARN, user ARN. */
  names: string[];
  /** Short hash of the session name when it is not part of `id` (Lambda/ECS/EC2 sessions churn). */
  sessionHash?: string;
}

const SSO_ROLE = /^AWSReservedSSO_/;
/** What AWS allows in a role session name (and what we keep of caller-supplied identity strings). */
const SESSION_CHARS = /[^\w+=,.@-]/g;

/** Keep caller-supplied identity text inside AWS's own character set and length limits. */
export function sanitiseIdentityText(s: string, max = 64): string {
  return s.replace(SESSION_CHARS, "_").slice(0, max);
}

function shortHash(s: string): string {
  return createHash("sha256").update(s).digest("hex").slice(0, 12);
}

/** `arn:aws:iam::A:role/path/name` → `arn:aws:iam::A:role/name` (STS ARNs and many policies omit the path). */
function roleWithoutPath(arn: string): string {
  const m = /^(arn:[\w-]+:iam::\d{12}:role\/)(?:.*\/)?([^/]+)$/.exec(arn);
  return m ? `${m[1]}${m[2]}` : arn;
}

/**
 * Normalise a CloudTrail `userIdentity` into the stable identity phiwatch keys profiles by.
 * Assumed roles collapse to the role (session names churn for Lambda, ECS, EC2) — except IAM Identity
 * Center roles (`AWSReservedSSO_*`), where the session name is the person.
 *
 * @example
 * ```ts
 * principalOf({ type: "AssumedRole", arn: "arn:aws:sts::1:assumed-role/etl/i-0abc", sessionContext: { sessionIssuer: { arn: "arn:aws:iam::1:role/etl" } } });
 * // → { id: "arn:aws:iam::1:role/etl", kind: "role", … }
 * ```
 */
export function principalOf(u: UserIdentity, recipientAccountId = "", path = "userIdentity"): Principal {
  // Every event of a batch carries a userIdentity, and a batch has a handful of distinct callers:
  // normalise each distinct identity once. An entry holds every field the normalisation reads and is
  // used only when all of them are equal (nothing is built per event to look it up).
  const issuer = u.sessionContext?.sessionIssuer?.arn;
  const head = u.arn ?? u.invokedBy ?? u.principalId ?? u.type;
  let entries = typeof head === "string" ? principalCache.get(head) : undefined;
  if (entries !== undefined)
    for (const e of entries) if (sameIdentity(e, u, issuer, recipientAccountId)) return e.principal;
  const p = normalisePrincipal(u, recipientAccountId, path);
  // Unvalidated input (a field that is not a string) is normalised without the cache.
  const fields = [
    u.type,
    u.arn,
    u.accountId,
    u.principalId,
    u.userName,
    u.invokedBy,
    u.identityProvider,
    issuer,
  ];
  if (typeof head !== "string" || typeof recipientAccountId !== "string") return p;
  for (const v of fields) if (v !== undefined && typeof v !== "string") return p;
  if (entries === undefined) {
    if (principalCache.size >= MAX_CACHED_PRINCIPALS) principalCache.clear();
    entries = [];
    principalCache.set(head, entries);
  }
  // Shared by every event of this caller: frozen, so no consumer can change it for the others.
  Object.freeze(p.names);
  Object.freeze(p);
  if (entries.length >= MAX_ENTRIES_PER_HEAD) entries.shift();
  entries.push({
    type: u.type,
    arn: u.arn,
    accountId: u.accountId,
    principalId: u.principalId,
    userName: u.userName,
    invokedBy: u.invokedBy,
    identityProvider: u.identityProvider,
    issuer,
    recipient: recipientAccountId,
    principal: p,
  });
  return p;
}

/** Distinct identities remembered (bounded memory in a long-lived Lambda); past it the cache starts over. */
const MAX_CACHED_PRINCIPALS = 10_000;
/** Identities sharing an ARN (different sessions' issuers, accounts…) kept per ARN. */
const MAX_ENTRIES_PER_HEAD = 16;

/** The fields `normalisePrincipal` reads, and its answer. */
interface CachedIdentity {
  type: string;
  arn: string | undefined;
  accountId: string | undefined;
  principalId: string | undefined;
  userName: string | undefined;
  invokedBy: string | undefined;
  identityProvider: string | undefined;
  issuer: string | undefined;
  recipient: string;
  principal: Principal;
}
const principalCache = new Map<string, CachedIdentity[]>();

function sameIdentity(e: CachedIdentity, u: UserIdentity, issuer: unknown, recipient: string): boolean {
  return (
    e.arn === u.arn &&
    e.type === u.type &&
    e.issuer === issuer &&
    e.recipient === recipient &&
    e.accountId === u.accountId &&
    e.principalId === u.principalId &&
    e.userName === u.userName &&
    e.invokedBy === u.invokedBy &&
    e.identityProvider === u.identityProvider
  );
}

/** `principalOf` without the cache (what the cache must always agree with). */
export function normalisePrincipal(
  u: UserIdentity,
  recipientAccountId = "",
  path = "userIdentity",
): Principal {
  const account = u.accountId ?? accountOfArn(u.arn) ?? recipientAccountId;
  switch (u.type) {
    case "Root": {
      const acct = account || accountOfArn(u.arn) || "";
      if (!acct) throw new InvalidEventError("Root identity without an account", `${path}.accountId`);
      // In the identity's partition (arn:aws-us-gov:iam::…:root in GovCloud).
      const id = `arn:${partitionOfResource({ arn: u.arn })}:iam::${acct}:root`;
      return { id, kind: "root", accountId: acct, names: [id] };
    }
    case "IAMUser": {
      if (!u.arn) throw new InvalidEventError("missing", `${path}.arn`);
      return { id: u.arn, kind: "iam-user", accountId: account, names: [u.arn] };
    }
    case "AssumedRole": {
      const issuer = u.sessionContext?.sessionIssuer?.arn;
      const assumed = u.arn;
      const roleArn = issuer ?? roleArnFromAssumed(assumed);
      if (!roleArn) {
        // Hand-written or truncated records: keep what identifies the caller rather than drop a tamper event.
        const raw = assumed ?? u.principalId ?? u.userName;
        if (!raw) throw new InvalidEventError("missing", `${path}.sessionContext.sessionIssuer.arn`);
        const id = assumed ?? `assumed-role:${sanitiseIdentityText(raw, 128)}`;
        return { id, kind: "role", accountId: account, names: [id] };
      }
      const session = assumed?.split("/").slice(2).join("/") ?? "";
      const roleName = roleArn.split("/").pop() ?? "";
      // Identity Center role paths may or may not carry the region (`sso.amazonaws.com/us-east-1/`):
      // offer both so one baseline pattern matches either.
      const noRegion = roleArn.replace(/(\/sso\.amazonaws\.com\/)[a-z]{2}(-gov)?-[a-z]+-\d\//, "$1");
      // A service-linked role is the service acting (only it can assume the role, and IAM reserves the
      // /aws-service-role/ path): it also goes by the service principal, so `principals.services` covers
      // it — Amazon Connect reads recordings with its role when a supervisor plays one in Connect.
      const owner = serviceOfLinkedRole(roleArn);
      const names = unique([
        roleArn,
        noRegion,
        roleWithoutPath(roleArn),
        ...(assumed ? [assumed] : []),
        ...(owner ? [owner] : []),
      ]);
      if (SSO_ROLE.test(roleName) && session) {
        const acct = accountOfArn(roleArn) ?? account;
        const id = `arn:${partitionOfResource({ arn: roleArn })}:sts::${acct}:assumed-role/${roleName}/${sanitiseIdentityText(session)}`;
        return { id, kind: "sso-user", accountId: account, names: unique([id, ...names]) };
      }
      return {
        id: roleArn,
        kind: "role",
        accountId: account,
        names,
        ...(session ? { sessionHash: shortHash(session) } : {}),
      };
    }
    case "FederatedUser": {
      if (!u.arn) throw new InvalidEventError("missing", `${path}.arn`);
      const issuer = u.sessionContext?.sessionIssuer?.arn;
      return {
        id: u.arn,
        kind: "federated-user",
        accountId: account,
        names: unique([u.arn, ...(issuer ? [issuer] : [])]),
      };
    }
    case "AWSService": {
      const svc = u.invokedBy;
      if (!svc) throw new InvalidEventError("missing", `${path}.invokedBy`);
      const id = sanitiseIdentityText(svc, 128);
      return { id, kind: "service", accountId: account, names: [id] };
    }
    case "AWSAccount": {
      // Another account acting through a service (its Athena or Glue reading our bucket): the account
      // is the caller, not the service. Named by the service, it would pass as a pipeline service
      // (`principals.services`) and never count as cross-account.
      const otherAccount =
        /^\d{12}$/.test(u.accountId ?? "") && recipientAccountId !== "" && u.accountId !== recipientAccountId;
      if (u.invokedBy && !otherAccount) {
        const id = sanitiseIdentityText(u.invokedBy, 128);
        return { id, kind: "service", accountId: account, names: [id] };
      }
      if (!account) throw new InvalidEventError("missing", `${path}.accountId`);
      const id = `arn:aws:iam::${account}:root`;
      return { id, kind: "account", accountId: account, names: [id] };
    }
    case "WebIdentityUser":
    case "SAMLUser": {
      const provider = sanitiseIdentityText(u.identityProvider ?? "unknown", 128);
      const name = sanitiseIdentityText(u.userName ?? u.principalId ?? "", 128);
      if (!name) throw new InvalidEventError("missing", `${path}.userName`);
      const kind = u.type === "SAMLUser" ? "saml" : "web-identity";
      const id = `${kind}:${provider}/${name}`;
      return { id, kind, accountId: account, names: [id] };
    }
    default: {
      // IdentityCenterUser, Unknown, future types: key by ARN or principalId so nothing is dropped.
      const raw = u.arn ?? u.principalId;
      if (!raw)
        // The type is the record's text: not repeated (the dead letter's payload holds it).
        throw new InvalidEventError("an identity of this type without arn or principalId", `${path}.arn`);
      const id = u.arn ? u.arn : `${sanitiseIdentityText(u.type, 32)}:${sanitiseIdentityText(raw, 128)}`;
      return { id, kind: "unknown", accountId: account, names: [id] };
    }
  }
}

function accountOfArn(arn: string | undefined): string | undefined {
  return arn ? /^arn:[\w-]+:[\w-]+:[\w-]*:(\d{12}):/.exec(arn)?.[1] : undefined;
}

function roleArnFromAssumed(arn: string | undefined): string | undefined {
  const m = arn ? /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(arn) : null;
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : undefined;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
