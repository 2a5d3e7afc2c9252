// The stage key's policy, evaluated offline: CloudWatch Logs may use the key for this stage's
// function log groups only — not another stage's (`dev2` has `dev` as a prefix), not another
// `phiwatch-…` function, not another account's.
import { describe, expect, it } from "vitest";
import { FUNCTION_NAMES, keyPolicy } from "../../../packages/core/src/plan/index.ts";
import { evaluatePolicies } from "../../../packages/core/src/policy/evaluate.ts";
import { parsePolicyDocument } from "../../../packages/core/src/policy/index.ts";

const ACCOUNT = "999988887777";
const REGION = "us-east-1";
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;

function logsMay(stage: string, logGroupArn: string, action = "kms:GenerateDataKey"): string {
  const doc = parsePolicyDocument(
    keyPolicy({
      partition: "aws",
      region: REGION,
      accountId: ACCOUNT,
      stage,
      admins: [`arn:aws:iam::${ACCOUNT}:root`],
      users: [`arn:aws:iam::${ACCOUNT}:role/phiwatch-${stage}-notify-role`],
    }),
  );
  return evaluatePolicies([{ name: "key-policy", document: doc }], {
    action,
    resource: KEY,
    principal: { kind: "service", service: `logs.${REGION}.amazonaws.com` },
    context: { "kms:EncryptionContext:aws:logs:arn": logGroupArn },
  }).effect;
}

const group = (name: string, account = ACCOUNT, region = REGION) =>
  `arn:aws:logs:${region}:${account}:log-group:/aws/lambda/${name}`;

describe("key policy: CloudWatch Logs", () => {
  it.each(FUNCTION_NAMES)("encrypts and reads the log group of this stage's %s function", (fn) => {
    for (const action of ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"])
      expect(logsMay("dev", group(`phiwatch-dev-${fn}`), action), action).toBe("allow");
  });

  it("refuses another stage's log groups, a stage named with this one as its prefix included", () => {
    for (const fn of FUNCTION_NAMES) {
      expect(logsMay("dev", group(`phiwatch-dev2-${fn}`)), fn).toBe("implicit-deny");
      expect(logsMay("dev", group(`phiwatch-prod-${fn}`)), fn).toBe("implicit-deny");
      expect(logsMay("dev2", group(`phiwatch-dev-${fn}`)), fn).toBe("implicit-deny");
    }
  });

  it("refuses other phiwatch-… functions, other log groups, accounts and regions", () => {
    expect(logsMay("dev", group("phiwatch-dev-notify-x"))).toBe("implicit-deny");
    expect(logsMay("dev", group("phiwatch-dev-anything"))).toBe("implicit-deny");
    expect(logsMay("dev", group("phiwatch-devtools"))).toBe("implicit-deny");
    expect(logsMay("dev", `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/phiwatch-dev-access`)).toBe(
      "implicit-deny",
    );
    expect(logsMay("dev", group("phiwatch-dev-access", "111122223333"))).toBe("implicit-deny");
    expect(logsMay("dev", group("phiwatch-dev-access", ACCOUNT, "eu-west-1"))).toBe("implicit-deny");
  });
});
