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
  // Unique ids (AROA…, AIDA…) remain when a role/user was deleted and recreated; we cannot map them.
  if (/^A[A-Z0-9]{15,}$/.test(value)) return "maybe";
  return false;
}

/**
 * Does a Principal element match the requester? `true`/`false`, or `maybe` when it depends on a value
 * we cannot resolve.
 *
 * @example
 * ```ts
 * principalMatches({ any: false, aws: ["111122223333"], service: [], federated: [], canonicalUser: [] },
 *   { kind: "aws", arn: "arn:aws:iam::111122223333:role/qa" }); // true
 * ```
 */
export function principalMatches(el: PrincipalElement, p: RequestPrincipal): Tri {
  if (el.any) return true;
  switch (p.kind) {
    case "everyone":
    case "anonymous":
      return false;
    case "service":
      return el.service.some((s) => s.toLowerCase() === p.service.toLowerCase());
    case "account":
      // All of the account's identities only through the account itself (a role or user is one of them).
      return el.aws.some((v) => isRootOf(v, p.accountId));
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
 * Does a NotPrincipal element *exempt* the requester (so the statement does not apply)? AWS checks
 * the caller's own ARN and its account separately: to exempt an IAM user both must be listed; a role
 * is exempted only session by session (assumed-role ARNs), so naming the role ARN alone exempts none
 * of its sessions. Asked for `everyone`, it answers whether *some* caller is exempted.
 */
export function notPrincipalExempts(el: PrincipalElement, p: RequestPrincipal): Tri {
  if (el.any) return true;
  switch (p.kind) {
    case "everyone":
      // "Does it exempt some caller?" (so the statement does not reach all callers): a listed account
      // exempts at least its root user, a listed service itself; a role ARN, or a user or session
      // whose account is not listed, exempts no one. Federated and canonical users: not decided here.
      if (el.aws.some((v) => isRootOf(v, accountOf(v) ?? "")) || el.service.length > 0) return true;
      return el.federated.length > 0 || el.canonicalUser.length > 0 ? "maybe" : false;
    case "anonymous":
      return false;
    case "service":
      return el.service.some((s) => s.toLowerCase() === p.service.toLowerCase());
    case "account":
      // Some identity of the account is exempted when the account is listed (its root user at least).
      return el.aws.some((v) => isRootOf(v, p.accountId));
    case "aws": {
      const account = accountOf(p.arn);
      const accountListed = account !== undefined && el.aws.some((v) => isRootOf(v, account));
      if (/:root$/.test(p.arn)) return accountListed;
      if (!accountListed) return false;
      if (el.aws.includes(p.arn) && !roleName(p.arn)) return true; // IAM user + its account
      const name = roleName(p.arn);
      if (name && el.aws.some((v) => SESSION_ARN.exec(v)?.[2] === name)) return "maybe";
      return false;
    }
  }
}

/** Condition keys AWS sets from the requester, so conditions on them can be decided. */
export function principalContext(p: RequestPrincipal): Record<string, string | null> {
  switch (p.kind) {
    case "everyone":
      return {};
    case "anonymous":
      return {
        "aws:principalarn": null,
        "aws:principalaccount": null,
        "aws:principalorgid": null,
        "aws:principalisawsservice": "false",
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
