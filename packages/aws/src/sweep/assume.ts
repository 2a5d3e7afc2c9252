import { AssumeRoleCommand, type AssumeRoleCommandOutput, type STSClient } from "@aws-sdk/client-sts";
import { memberReadRoleArn } from "@phiwatch/core";

/** Temporary credentials as the SDK clients take them (a provider is called before each request). */
export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface AssumeRoleOptions {
  /** Shown in the member account's CloudTrail as the session name. Default `phiwatch-sweep`. */
  sessionName?: string;
  /** Session length. Default 3600 s (the sweep's timeout is 900 s). */
  durationSeconds?: number;
  /** Fetch new credentials this long before the current ones expire. Default 5 minutes. */
  refreshBeforeMs?: number;
  now?: () => number;
}

/**
 * A credentials provider for SDK clients that assumes `roleArn` with STS, keeps the credentials and
 * assumes again shortly before they expire. Concurrent callers share one AssumeRole call. A refusal
 * (AccessDenied, role missing, trust not allowing this caller) rejects with an error naming the role.
 *
 * @example
 * ```ts
 * const credentials = assumeRoleCredentials(new STSClient({}), "arn:aws:iam::111122223333:role/phiwatch-member-read");
 * new ConfigServiceClient({ region: "us-east-1", credentials });
 * ```
 */
export function assumeRoleCredentials(
  sts: STSClient,
  roleArn: string,
  opts: AssumeRoleOptions = {},
): () => Promise<TemporaryCredentials> {
  const now = opts.now ?? Date.now;
  const refreshBefore = opts.refreshBeforeMs ?? 5 * 60_000;
  let current: TemporaryCredentials | undefined;
  let pending: Promise<TemporaryCredentials> | undefined;
  const assume = async (): Promise<TemporaryCredentials> => {
    let r: AssumeRoleCommandOutput;
    try {
      r = await sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: opts.sessionName ?? "phiwatch-sweep",
          DurationSeconds: opts.durationSeconds ?? 3600,
        }),
      );
    } catch (error) {
      const e = error as { name?: string; message?: string };
      throw Object.assign(new Error(`sts:AssumeRole ${roleArn}: ${e.message ?? "refused"}`), {
        name: e.name ?? "AssumeRoleFailed",
        cause: error,
      });
    }
    const c = r.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration)
      throw new Error(`sts:AssumeRole ${roleArn}: the answer carried no complete credentials`);
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: new Date(c.Expiration),
    };
  };
  return async () => {
    if (current && current.expiration.getTime() - now() > refreshBefore) return current;
    pending ??= assume()
      .then((c) => {
        current = c;
        return c;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}

/** The account and partition a function runs in. */
export interface Identity {
  accountId: string;
  partition: string;
}

/**
 * The account and partition of a Lambda function, from its ARN (`context.invokedFunctionArn`).
 *
 * @example
 * ```ts
 * identityFromArn("arn:aws:lambda:us-east-1:999988887777:function:phiwatch-prod-sweep");
 * // { accountId: "999988887777", partition: "aws" }
 * ```
 */
export function identityFromArn(arn: string): Identity {
  const m = /^arn:([\w-]+):[^:]*:[^:]*:(\d{12}):/.exec(arn);
  if (!m) throw new Error(`not an ARN with an account: ${arn.slice(0, 120)}`);
  return { partition: m[1]!, accountId: m[2]! };
}

/** What {@link MemberRoles} keeps per account: the role's credentials (member accounts) and the clients. */
export interface AccountAccess<T> {
  /** The member role's credentials; none for the function's own account. */
  credentials?: () => Promise<TemporaryCredentials>;
  clients: T;
}

/**
 * Clients for reading an account, built by `make` once per account and kept for the container's
 * life: for a member account of the baseline, signed with its read role (`Plan.MEMBER_READ_ROLE`,
 * assumed on first use, renewed before it expires); for the account the function runs in, and any
 * account outside the baseline, with the function's own credentials.
 */
export class MemberRoles<T> {
  private readonly accounts = new Map<string, AccountAccess<T>>();

  constructor(
    private readonly sts: STSClient,
    /** Session name shown in the member account's CloudTrail (`phiwatch-sweep`, `phiwatch-config-change`). */
    private readonly sessionName: string,
    private readonly make: (credentials?: () => Promise<TemporaryCredentials>) => T,
  ) {}

  /** Whether phiwatch can act as `accountId`: its own account, or a member's through the read role. */
  enters(own: Identity, members: readonly string[], accountId: string): boolean {
    return accountId === own.accountId || members.includes(accountId);
  }

  for(own: Identity, members: readonly string[], accountId: string): AccountAccess<T> {
    const member = accountId !== own.accountId && members.includes(accountId);
    const key = member ? accountId : "";
    let a = this.accounts.get(key);
    if (!a) {
      const credentials = member
        ? assumeRoleCredentials(this.sts, memberReadRoleArn(own.partition, accountId), {
            sessionName: this.sessionName,
          })
        : undefined;
      a = { ...(credentials ? { credentials } : {}), clients: this.make(credentials) };
      this.accounts.set(key, a);
    }
    return a;
  }
}
