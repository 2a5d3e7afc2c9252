// The member-account read role: the sweep's read-only actions plus the config-change handler's
// GetResourceConfigHistory and nothing else, assumable only by the security account's sweep and
// config-change roles, under the name phiwatch derives (Plan.MEMBER_READ_ROLE).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { memberReadPolicy, readOnlyPolicy } from "../../../packages/aws/src/sweep/permissions.ts";
import {
  FUNCTION_NAMES,
  MEMBER_READ_ROLE,
  memberReadRoleArn,
  resourceName,
  SDK_CALLS,
} from "../../../packages/core/src/plan/index.ts";

const template = parse(readFileSync("infra/member-read-role.yaml", "utf8"));
const role = template.Resources.MemberReadRole.Properties;

/** Resolve `Fn::Sub` strings with parameter and pseudo-parameter values. */
function sub(v: { "Fn::Sub": string }, params: Record<string, string>): string {
  return v["Fn::Sub"].replace(/\$\{([\w:]+)\}/g, (_, k: string) => {
    if (!(k in params)) throw new Error(`unresolved \${${k}}`);
    return params[k]!;
  });
}

describe("member-read-role template", () => {
  const params = { "AWS::Partition": "aws", SecurityAccountId: "999988887777", PhiwatchStage: "prod" };

  it("is named as the sweep expects", () => {
    expect(role.RoleName).toBe(MEMBER_READ_ROLE);
    expect(memberReadRoleArn("aws", "111122223333")).toBe(`arn:aws:iam::111122223333:role/${role.RoleName}`);
  });

  it("grants exactly the sweep's read-only policy and GetResourceConfigHistory (no data-plane read)", () => {
    expect(role.Policies).toHaveLength(1);
    const doc = role.Policies[0].PolicyDocument;
    expect(doc).toEqual(memberReadPolicy());
    const actions0 = (readOnlyPolicy().Statement[0] as { Action: string[] }).Action;
    expect(doc.Statement[0].Action.filter((a: string) => !actions0.includes(a))).toEqual([
      "config:GetResourceConfigHistory",
    ]);
    const actions: string[] = doc.Statement.flatMap((s: { Action: string[] }) => s.Action);
    expect(actions.filter((a) => /^s3:GetObject|^kms:Decrypt|\*/.test(a))).toEqual([]);
  });

  it("trusts only the security account's sweep and config-change roles of the stage", () => {
    const statements = role.AssumeRolePolicyDocument.Statement;
    expect(statements).toHaveLength(1);
    const [s] = statements;
    expect(s.Effect).toBe("Allow");
    expect(s.Action).toBe("sts:AssumeRole");
    expect(sub(s.Principal.AWS, params)).toBe("arn:aws:iam::999988887777:root");
    expect(Object.keys(s.Condition)).toEqual(["ArnEquals"]);
    expect(
      s.Condition.ArnEquals["aws:PrincipalArn"].map((v: { "Fn::Sub": string }) => sub(v, params)).sort(),
    ).toEqual(
      // Exactly the roles of the functions whose code assumes it (their SDK_CALLS), nothing else.
      FUNCTION_NAMES.filter((fn) => SDK_CALLS[fn].calls.includes("sts:AssumeRole"))
        .map((fn) => `arn:aws:iam::999988887777:role/${resourceName("prod", `${fn}-role`)}`)
        .sort(),
    );
  });

  it("takes the same stage names the security account accepts", () => {
    const pattern = new RegExp(template.Parameters.PhiwatchStage.AllowedPattern);
    for (const stage of ["prod", "staging", "alice-dev"]) {
      expect(pattern.test(stage)).toBe(true);
      expect(() => resourceName(stage, "sweep-role")).not.toThrow();
    }
    for (const stage of ["Prod", "1prod", "a".repeat(21)]) {
      expect(pattern.test(stage)).toBe(false);
      expect(() => resourceName(stage, "sweep-role")).toThrow();
    }
  });
});
