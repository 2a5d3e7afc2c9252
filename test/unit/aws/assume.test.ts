// Member-account credentials: one AssumeRole per session, renewed before expiry, shared by concurrent
// callers; a refusal names the role.
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { assumeRoleCredentials } from "../../../packages/aws/src/sweep/assume.ts";

const ROLE = "arn:aws:iam::111122223333:role/phiwatch-member-read";
const sts = mockClient(STSClient);
afterEach(() => sts.reset());

function answer(n: number, expiresAtMs: number) {
  return {
    Credentials: {
      AccessKeyId: `ASIA${n}`,
      SecretAccessKey: `secret-${n}`,
      SessionToken: `token-${n}`,
      Expiration: new Date(expiresAtMs),
    },
    AssumedRoleUser: { Arn: `${ROLE}/phiwatch-sweep`, AssumedRoleId: "AROA:phiwatch-sweep" },
  };
}

describe("assumeRoleCredentials", () => {
  it("assumes the role once, with the sweep's session name, and keeps the credentials until near expiry", async () => {
    let now = 0;
    let n = 0;
    sts.on(AssumeRoleCommand).callsFake(() => answer(++n, now + 3_600_000));
    const credentials = assumeRoleCredentials(new STSClient({ region: "us-east-1" }), ROLE, {
      now: () => now,
    });
    const [a, b] = await Promise.all([credentials(), credentials()]);
    expect(a).toBe(b);
    expect(a).toMatchObject({ accessKeyId: "ASIA1", secretAccessKey: "secret-1", sessionToken: "token-1" });
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      { RoleArn: ROLE, RoleSessionName: "phiwatch-sweep", DurationSeconds: 3600 },
    ]);
    now = 3_600_000 - 5 * 60_000 - 1; // more than 5 minutes left: the same credentials
    expect((await credentials()).accessKeyId).toBe("ASIA1");
    now = 3_600_000 - 5 * 60_000 + 1; // less than 5 minutes left: assume again
    expect((await credentials()).accessKeyId).toBe("ASIA2");
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it("rejects with the role and the reason when the member account refuses, and tries again next time", async () => {
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(
        Object.assign(
          new Error(
            `User: arn:aws:sts::999988887777:assumed-role/x/y is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`,
          ),
          {
            name: "AccessDenied",
          },
        ),
      )
      .resolves(answer(7, Date.now() + 3_600_000));
    const credentials = assumeRoleCredentials(new STSClient({ region: "us-east-1" }), ROLE);
    const error = await credentials().catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe("AccessDenied");
    expect((error as Error).message).toContain(`sts:AssumeRole ${ROLE}: User:`);
    expect((await credentials()).accessKeyId).toBe("ASIA7");
  });

  it("refuses an answer without complete credentials", async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: undefined });
    const credentials = assumeRoleCredentials(new STSClient({ region: "us-east-1" }), ROLE);
    await expect(credentials()).rejects.toThrow(/no complete credentials/);
  });
});
