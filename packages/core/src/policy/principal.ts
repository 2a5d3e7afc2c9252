import type { Tri } from "./condition.ts";
import type { PrincipalElement } from "./document.ts";

/**
 * Who makes the request asked about (resource-based policies only; identity policies have no
 * Principal element).
 * - `aws`: an IAM role, user or account root, by its stable ARN (for a role, any of its sessions).
 * - `service`: an AWS service principal such as `connect.amazonaws.com`.
 * - `anonymous`: an unauthenticated request.
 * - `account`: every identity of one account at once (its root user, roles and users) — "does this
 *   Deny apply to all of them?", as asked of a grant to the account.
 * - `everyone`: every possible principal at once — "does this Deny apply to all callers?".
 */
export type RequestPrincipal =
  | { kind: "aws"; arn: string }
  | { kind: "account"; accountId: string }
  | { kind: "service"; service: string }
  | { kind: "anonymous" }
  | { kind: "everyone" };

const IAM_ARN = /^arn:aws[\w-]*:iam::(\d{12}):(root|role\/.+|user\/.+)$/;
const SESSION_ARN = /^arn:aws[\w-]*:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/;
const ACCOUNT = /^\d{12}$/;
/** Unique ids (AROA…, AIDA…) remain when a role/user was deleted and recreated; we cannot map them. */
const UNIQUE_ID = /^A[A-Z0-9]{15,}$/;

/** Account id of an IAM/STS ARN or a bare account id, if it names one. */
export function accountOf(value: string): string | undefined {
  if (ACCOUNT.test(value)) return value;
  return IAM_ARN.exec(value)?.[1] ?? SESSION_ARN.exec(value)?.[1];
}

/** The role name of a role ARN (the last path segment), if `arn` is one. */
function roleName(arn: string): string | undefined {
  const m = /^arn:aws[\w-]*:iam::\d{12}:role\/(?:.*\/)?([^/]+)$/.exec(arn);
  return m?.[1];
}

function isRootOf(value: string, account: string): boolean {
  return value === account || new RegExp(`^arn:aws[\\w-]*:iam::${account}:root$`).test(value);
}

/** Does one `AWS` principal value name this IAM principal? `maybe` for unique ids we cannot resolve. */
function awsValueMatches(value: string, arn: string): Tri {
  const account = accountOf(arn);
  if (account && isRootOf(value, account)) return true; // an account principal covers all its identities
  if (value === arn) return true;
  // A role's sessions: the policy may name the role ARN; session ARNs never carry the role path.
  const name = roleName(arn);
  const s = SESSION_ARN.exec(value);
  if (name && s && s[1] === account && s[2] === name) return "maybe"; // only that session
  if (UNIQUE_ID.test(value)) return "maybe";
  return false;
}

/**
 * How a statement must reach a question's principal, when the principal stands for several callers
 * (`everyone`, `account`, a role's sessions): an Allow counts when it reaches `some` of them, a Deny
 * only when it reaches `all` of them — as for a set of resources.
 */
export type Reach = "all" | "some";

/**
 * Does a Principal element match the requester? `true`/`false`, or `maybe` when it depends on a value
 * we cannot resolve. For a requester standing for several callers, `reach` says whether the element
 * must name all of them (the default, as a Deny needs) or some of them (as an Allow needs).
 *
 * @example
 * ```ts
 * principalMatches({ any: false, aws: ["111122223333"], service: [], federated: [], canonicalUser: [] },
 *   { kind: "aws", arn: "arn:aws:iam::111122223333:role/qa" }); // true
 * ```
 */
export function principalMatches(el: PrincipalElement, p: RequestPrincipal, reach: Reach = "all"): Tri {
  if (el.any) return true;
  switch (p.kind) {
    case "everyone":
      // Every caller only through `*`; some caller whenever the element names anyone at all.
      if (reach === "all") return false;
      return el.aws.length + el.service.length + el.federated.length + el.canonicalUser.length > 0;
    case "anonymous":
      return false;
    case "service":
      return el.service.some((s) => s.toLowerCase() === p.service.toLowerCase());
    case "account":
      // All of the account's identities only through the account itself (a role or user is one of them);
      // some of them through any identity of the account, or an id that may be one.
      if (el.aws.some((v) => isRootOf(v, p.accountId))) return true;
      if (reach === "all") return false;
      if (el.aws.some((v) => accountOf(v) === p.accountId)) return true;
      return el.aws.some((v) => UNIQUE_ID.test(v)) ? "maybe" : false;
    case "aws": {
      let r: Tri = false;
      for (const v of el.aws) {
        const m = awsValueMatches(v, p.arn);
        if (m === true) return true;
        if (m === "maybe") r = "maybe";
      }
      return r;
    }
  }
}

/**
 * Does a NotPrincipal element *exempt* the requester (so the statement does not apply)? The IAM User
 * Guide leaves it open: "AWS might validate the account first, then the role, and then the
 * assumed-role user", it recommends listing a user with its account, *or a role with its account*, and
 * says a list naming the user alone "might" deny the account. So a requester is exempted for certain
 * only when its account and its own ARN are listed (a role's session: only by its session ARN, with the
 * role and the account); listing its own ARN, its role or one of its sessions without the rest may
 * exempt it (`maybe`), and the Deny is then not proven.
 *
 * For a requester standing for several callers, `reach` is the statement's: with `all` (a Deny that
 * must reach every caller) it answers whether *some* caller may be exempted; with `some` (an Allow
 * that needs to reach one) whether *all* of them are.
 */
export function notPrincipalExempts(el: PrincipalElement, p: RequestPrincipal, reach: Reach = "all"): Tri {
  if (el.any) return true;
  const unresolved = el.aws.some((v) => UNIQUE_ID.test(v)) ? "maybe" : false;
  switch (p.kind) {
    case "everyone":
      // Some caller: a listed account exempts at least its root user, a listed service itself; any
      // other identity may be exempted (see above). All callers: only `*` (anonymous ones never).
      if (reach === "some") return false;
      if (el.aws.some((v) => isRootOf(v, accountOf(v) ?? "")) || el.service.length > 0) return true;
      return el.aws.length + el.federated.length + el.canonicalUser.length > 0 ? "maybe" : false;
    case "anonymous":
      return false;
    case "service":
      return el.service.some((s) => s.toLowerCase() === p.service.toLowerCase());
    case "account":
      // Some identity of the account: its root user when the account is listed, maybe another listed
      // one. All of them: never for certain (its users and sessions must each be listed).
      if (reach === "some") return false;
      if (el.aws.some((v) => isRootOf(v, p.accountId))) return true;
      return el.aws.some((v) => accountOf(v) === p.accountId) ? "maybe" : unresolved;
    case "aws": {
      const account = accountOf(p.arn);
      const accountListed = account !== undefined && el.aws.some((v) => isRootOf(v, account));
      if (/:root$/.test(p.arn)) return accountListed;
      const name = roleName(p.arn);
      if (!name) {
        // An IAM user: certain with its account, possible without.
        if (el.aws.includes(p.arn)) return accountListed ? true : "maybe";
        return unresolved;
      }
      // A role's sessions: each is exempted only by its own session ARN, so never all of them, and
      // some of them possibly when the role or one of its sessions is listed.
      const session = el.aws.some((v) => {
        const s = SESSION_ARN.exec(v);
        return s !== null && s[1] === account && s[2] === name;
      });
      return el.aws.includes(p.arn) || session ? "maybe" : unresolved;
    }
  }
}

/** Condition keys AWS sets from the requester, so conditions on them can be decided. */
export function principalContext(p: RequestPrincipal): Record<string, string | null> {
  switch (p.kind) {
    case "everyone":
      return {};
    case "anonymous":
      // aws:PrincipalIsAWSService is in "all signed API requests" only: an anonymous one has none.
      return {
        "aws:principalarn": null,
        "aws:principalaccount": null,
        "aws:principalorgid": null,
        "aws:principalisawsservice": null,
        "aws:principalservicename": null,
      };
    case "service":
      return {
        "aws:principalarn": null,
        "aws:principalaccount": null,
        "aws:principalorgid": null,
        "aws:principalisawsservice": "true",
        "aws:principalservicename": p.service,
      };
    case "account":
      // aws:PrincipalArn differs between the account's identities: left undecided.
      return {
        "aws:principalaccount": p.accountId,
        "aws:principalisawsservice": "false",
        "aws:principalservicename": null,
      };
    case "aws": {
      const account = accountOf(p.arn);
      return {
        "aws:principalarn": p.arn,
        ...(account ? { "aws:principalaccount": account } : {}),
        "aws:principalisawsservice": "false",
        "aws:principalservicename": null,
      };
    }
  }
}
