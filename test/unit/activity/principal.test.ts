import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Activity } from "../../../packages/core/src/index.ts";

const rec = (f: string) =>
  Activity.readCloudTrail(JSON.parse(readFileSync(`test/fixtures/activity/${f}`, "utf8")))[0]!;

describe("principal normalisation", () => {
  it("keys an Identity Center user by the person, not the shared role (whylabs capture)", () => {
    const p = Activity.principalOf(
      rec("whylabs__eventbridge_PutObject_data_event_SSE_KMS.json").userIdentity,
    );
    expect(p).toMatchObject({
      kind: "sso-user",
      id: "arn:aws:sts::222222222222:assumed-role/AWSReservedSSO_DeveloperFullAccess_6c92e887746e1955/drew@whylabs.ai",
    });
    // Baseline patterns may name the role with or without the region segment of its path.
    expect(p.names).toContain(
      "arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_DeveloperFullAccess_6c92e887746e1955",
    );
  });

  it("keys an EC2/Lambda session by its role: the session name churns (OTRF instance-role capture)", () => {
    const u = JSON.parse(
      readFileSync("test/fixtures/activity/otrf__GetObject_stolen_instance_role.json", "utf8"),
    ).userIdentity;
    const p = Activity.principalOf(u);
    expect(p.id).toBe("arn:aws:iam::123456789123:role/MordorNginxStack-BankingWAFRole-9S3E0UAE1MM0");
    expect(p.sessionHash).toMatch(/^[0-9a-f]{12}$/);
  });

  it.each([
    [{ type: "IAMUser", arn: "arn:aws:iam::1:user/alice" }, "arn:aws:iam::1:user/alice", "iam-user"],
    [{ type: "Root", accountId: "111122223333" }, "arn:aws:iam::111122223333:root", "root"],
    [{ type: "AWSService", invokedBy: "transcribe.amazonaws.com" }, "transcribe.amazonaws.com", "service"],
    [
      { type: "AWSAccount", accountId: "999988887777", principalId: "AIDA" },
      "arn:aws:iam::999988887777:root",
      "account",
    ],
    [
      { type: "FederatedUser", arn: "arn:aws:sts::1:federated-user/bob" },
      "arn:aws:sts::1:federated-user/bob",
      "federated-user",
    ],
    [{ type: "SAMLUser", userName: "carol", identityProvider: "okta" }, "saml:okta/carol", "saml"],
  ])("normalises %o", (u, id, kind) => {
    expect(Activity.principalOf(u)).toMatchObject({ id, kind });
  });

  it.each(["aws-us-gov", "aws-cn"])(
    "builds the ids of a root user and an Identity Center person in their partition (%s)",
    (p) => {
      const root = { type: "Root", arn: `arn:${p}:iam::111122223333:root`, accountId: "111122223333" };
      expect(Activity.principalOf(root)).toMatchObject({
        id: `arn:${p}:iam::111122223333:root`,
        kind: "root",
      });
      const role = `arn:${p}:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_QA_1`;
      const sso = {
        type: "AssumedRole",
        arn: `arn:${p}:sts::111122223333:assumed-role/AWSReservedSSO_QA_1/dana@example.com`,
        accountId: "111122223333",
        sessionContext: { sessionIssuer: { arn: role } },
      };
      expect(Activity.principalOf(sso)).toMatchObject({
        id: `arn:${p}:sts::111122223333:assumed-role/AWSReservedSSO_QA_1/dana@example.com`,
        kind: "sso-user",
      });
    },
  );

  it("names another account acting through a service by the account, not the service", () => {
    const u = { type: "AWSAccount", accountId: "999988887777", invokedBy: "athena.amazonaws.com" };
    // In the bucket owner's copy of the record: the caller is account 999988887777.
    expect(Activity.principalOf(u, "111122223333")).toMatchObject({
      id: "arn:aws:iam::999988887777:root",
      kind: "account",
      names: ["arn:aws:iam::999988887777:root"],
    });
    // The same account's own service call stays the service.
    expect(Activity.principalOf({ ...u, accountId: "111122223333" }, "111122223333")).toMatchObject({
      id: "athena.amazonaws.com",
      kind: "service",
    });
  });

  // A service-linked role session, in the shape CloudTrail records one (Sumo Logic's published
  // AWSServiceRoleForConfig record: AssumedRole, sessionIssuer under role/aws-service-role/<service>/,
  // invokedBy the service), here Amazon Connect's role as custodian__connect.ListInstances.json names it.
  // Connect reads recordings with it when a supervisor plays one in Connect, and only Connect can assume
  // it (IAM reserves the /aws-service-role/ path for service-linked roles).
  const SLR =
    "arn:aws:iam::644160558196:role/aws-service-role/connect.amazonaws.com/AWSServiceRoleForAmazonConnect_6JQPfnt3cg0pKYjDucIX";
  const slrSession = (issuer: string, invokedBy?: string) => ({
    type: "AssumedRole",
    principalId: "AROA55SVHNHFJXEXAMPLE:ConnectSession",
    arn: `arn:aws:sts::644160558196:assumed-role/${issuer.split("/").pop()}/ConnectSession`,
    accountId: "644160558196",
    sessionContext: {
      sessionIssuer: {
        type: "Role",
        principalId: "AROA55SVHNHFJXEXAMPLE",
        arn: issuer,
        accountId: "644160558196",
      },
      attributes: { creationDate: "2026-03-03T14:00:00Z", mfaAuthenticated: "false" },
    },
    ...(invokedBy ? { invokedBy } : {}),
  });

  it("keys a service-linked role session by its role and also names it by the service that owns the role", () => {
    const p = Activity.principalOf(slrSession(SLR, "connect.amazonaws.com"));
    expect(p).toMatchObject({ id: SLR, kind: "role" });
    expect(p.names).toContain("connect.amazonaws.com");
    expect(p.names).toContain(SLR);
  });

  it("does not name an ordinary role by a service, even when a service invoked the call", () => {
    const role = "arn:aws:iam::644160558196:role/service-role/connect.amazonaws.com/export";
    const p = Activity.principalOf(slrSession(role, "connect.amazonaws.com"));
    expect(p.names).not.toContain("connect.amazonaws.com");
  });

  it("names the field when the identity cannot be keyed", () => {
    expect(() => Activity.principalOf({ type: "IAMUser" }, "", "detail.userIdentity")).toThrow(
      expect.objectContaining({ field: "detail.userIdentity.arn" }),
    );
  });

  it("never lets caller-supplied session text outside AWS's session-name character set (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (session) => {
        const p = Activity.principalOf({
          type: "AssumedRole",
          arn: `arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_QA_1/${session || "x"}`,
          sessionContext: { sessionIssuer: { arn: "arn:aws:iam::111122223333:role/AWSReservedSSO_QA_1" } },
        });
        const tail = p.id.split("/").slice(2).join("/");
        expect(tail).toMatch(/^[\w+=,.@-]{0,64}$/);
      }),
    );
  });
});

describe("source normalisation", () => {
  it("coarsens addresses to networks and keeps AWS service callers by name", () => {
    expect(Activity.networkOf("198.51.100.23")).toBe("ip4:198.51.100.0/24");
    expect(Activity.networkOf("2001:db8:1:2::5")).toBe("ip6:2001:db8:1::/48");
    expect(Activity.networkOf("transcribe.amazonaws.com")).toBe("aws:transcribe.amazonaws.com");
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(Activity.networkOf(ip)).toBe(`ip4:${ip.split(".").slice(0, 3).join(".")}.0/24`);
      }),
    );
  });

  it.each([
    ["[aws-cli/2.2.14 Python/3.9.5 Darwin/20.4.0 source/x86_64 prompt/off command/s3.cp]", "aws-cli"],
    ["Boto3/1.34.51 md/Botocore#1.34.51", "sdk-python"],
    ["aws-sdk-js/3.540.0 ua/2.0", "sdk-js"],
    ["[S3Console/0.4, aws-internal/3]", "console"],
    ["Mozilla/5.0 (X11; Linux x86_64)", "browser"],
    ["AWS Internal", "aws-service"],
    ["curl/8.4.0", "http-tool"],
    [undefined, "none"],
  ])("classes user agent %s as %s", (ua, cls) => {
    expect(Activity.userAgentClass(ua)).toBe(cls);
  });

  it("matches IPv4 and IPv6 CIDRs", () => {
    expect(Activity.inAnyCidr("10.1.2.3", ["10.0.0.0/8"])).toBe(true);
    expect(Activity.inAnyCidr("11.1.2.3", ["10.0.0.0/8"])).toBe(false);
    expect(Activity.inAnyCidr("2001:db8::1", ["2001:db8::/32"])).toBe(true);
    expect(Activity.inAnyCidr("not-an-ip", ["0.0.0.0/0"])).toBe(false);
  });
});
