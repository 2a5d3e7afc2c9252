import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  CONTROLS,
  ControlSet,
  defineControl,
  fromConfigurationItem,
  pass,
  type ResourceSnapshot,
} from "../../../../packages/core/src/index.ts";
import { apiSnapshot, evaluate, testFacts } from "../../../helpers/facts.ts";

const victoraldir = (name = "phi-recordings", region = "us-east-1"): ResourceSnapshot => {
  const ci = JSON.parse(
    readFileSync("test/fixtures/config/victoraldir__invokingEvent_S3Bucket_PAB_SSE.json", "utf8"),
  ).configurationItem;
  return fromConfigurationItem({
    ...ci,
    awsAccountId: "111122223333",
    resourceId: name,
    resourceName: name,
    awsRegion: region,
  });
};
const rdkSg = () =>
  fromConfigurationItem({
    ...JSON.parse(readFileSync("test/fixtures/config/rdk__AWS_EC2_SecurityGroup.json", "utf8")),
    awsAccountId: "111122223333",
  });

describe('ControlSet with "*" controls', () => {
  it('runs "*" controls in addition to the type\'s own controls', () => {
    const ids = new ControlSet(CONTROLS).for("AWS::S3::Bucket").map((c) => c.id);
    expect(ids).toEqual(
      expect.arrayContaining(["s3-encryption-cmk", "no-phi-in-metadata", "region-allow-list"]),
    );
    expect(new ControlSet(CONTROLS).for("AWS::Lambda::Function").map((c) => c.id)).toEqual(
      expect.arrayContaining(["no-phi-in-metadata", "region-allow-list"]),
    );
  });
  it('lists each control once when no "*" control is registered', () => {
    const only = defineControl({
      id: "test-only",
      title: "t",
      resourceTypes: ["AWS::X::Y"],
      hipaa: ["164.312(b)"],
      severity: "low",
      rationale: "r",
      remediation: { console: "c", cli: "c" },
      evaluate: () => pass("ok"),
    });
    expect(new ControlSet([only]).for("AWS::X::Y")).toEqual([only]);
    expect(new ControlSet([only]).for("AWS::Other::Z")).toEqual([]);
  });
});

describe("control no-phi-in-metadata", () => {
  it("passes on the real S3 item and the real security group", () => {
    expect(evaluate("no-phi-in-metadata", victoraldir()).status).toBe("COMPLIANT");
    expect(evaluate("no-phi-in-metadata", rdkSg()).status).toBe("COMPLIANT");
  });
  it.each([
    ["an SSN in a tag value", { tags: { Patient: "123-45-6789" } }, "tag Patient", "ssn-value"],
    ["a DOB tag key", { tags: { patient_dob: "x" } }, "tag key patient_dob", "date-of-birth"],
    [
      "an e-mail in the name",
      { resourceName: "exports-jane.doe@example.org" },
      "resourceName",
      "email-value",
    ],
    [
      "a phone in the description",
      { configuration: { description: "callback (617) 555-0100" } },
      "configuration.description",
      "phone-value",
    ],
    ["an MRN in a tag value", { tags: { Note: "MRN 00482913" } }, "tag Note", "mrn-value"],
  ])("fails on %s, naming the field and pattern but never the value", (_n, extra, field, pattern) => {
    const snap = { ...apiSnapshot("AWS::S3::Bucket", "exports", {}), ...extra } as ResourceSnapshot;
    const e = evaluate("no-phi-in-metadata", snap);
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.hits).toEqual([{ field, patterns: [pattern] }]);
    for (const v of ["123-45-6789", "jane.doe", "555-0100", "00482913"])
      expect(JSON.stringify(e)).not.toContain(v);
  });
  it.each([
    ["a camelCase DOB label", { Note: "PatientDOB=1984-02-11" }, "dob-value"],
    ["a snake_case DOB label", { Note: "patient_dob: 02/11/1984" }, "dob-value"],
    ["a camelCase MRN label", { Note: "PatientMRN=00482913" }, "mrn-value"],
    ["a snake_case MRN label", { Note: "pt_mrn#00482913" }, "mrn-value"],
  ])("finds a value behind %s (the label glued to a word)", (_n, tags, pattern) => {
    const e = evaluate("no-phi-in-metadata", apiSnapshot("AWS::S3::Bucket", "exports", {}, { tags }));
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.hits).toEqual([{ field: "tag Note", patterns: [pattern] }]);
  });
  it.each([
    ["PatientDOB=1984-02-11", "1984-02-11"],
    ["PatientSSN=123456789", "123456789"],
    ["member_id_00482913", "00482913"],
  ])("never prints a PHI-named tag key that may carry a value (%s)", (key, value) => {
    const e = evaluate(
      "no-phi-in-metadata",
      apiSnapshot("AWS::S3::Bucket", "exports", {}, { tags: { team: "a", [key]: "x" } }),
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect(JSON.stringify(e)).not.toContain(value);
    expect((e.evidence.hits as Array<{ field: string }>)[0]!.field).toBe("tag key #2");
  });
  // S3 bucket names allow only lower-case letters, digits, hyphens and dots: an SSN written into one is
  // written with hyphens and sits between hyphens.
  it.each([
    ["inside a bucket name", { resourceName: "exports-123-45-6789-audio" }, "resourceName"],
    ["at the end of a bucket name", { resourceId: "recordings-jdoe-123-45-6789" }, "resourceId"],
    ["at the start of a bucket name", { resourceName: "123-45-6789-exports" }, "resourceName"],
    ["between hyphens in a tag value", { tags: { Note: "caller-123-45-6789" } }, "tag Note"],
  ])("fails on an SSN %s, naming the field but never the value", (_n, extra, field) => {
    const snap = { ...apiSnapshot("AWS::S3::Bucket", "exports", {}), ...extra } as ResourceSnapshot;
    const e = evaluate("no-phi-in-metadata", snap);
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.hits).toEqual([{ field, patterns: ["ssn-value"] }]);
    // The resource's own id is the evaluation's subject (formats redact it); the verdict adds no value.
    expect(JSON.stringify([e.summary, e.evidence])).not.toContain("6789");
  });
  it.each([
    ["a date-stamped name", "backup-2024-123-45-6789"],
    ["a longer run of digit groups", "batch-123-45-6789-0001"],
  ])("does not take three digit groups inside %s for an SSN", (_n, name) => {
    const snap = apiSnapshot("AWS::S3::Bucket", name, {});
    expect(evaluate("no-phi-in-metadata", snap).status).toBe("COMPLIANT");
  });
  it("allows workforce e-mail in ownership tags", () => {
    const snap = apiSnapshot(
      "AWS::S3::Bucket",
      "exports",
      {},
      { tags: { Owner: "platform-team@example.org" } },
    );
    expect(evaluate("no-phi-in-metadata", snap).status).toBe("COMPLIANT");
  });
  it.each([
    ["PatientContact", "555-123-4567"],
    ["member_email", "jane.doe@example.org"],
    ["CallerPhone", "(555) 123-4567"],
  ])("does not take a key about the people served (%s) for workforce contact data", (key, value) => {
    const snap = apiSnapshot("AWS::S3::Bucket", "exports", {}, { tags: { [key]: value } });
    const e = evaluate("no-phi-in-metadata", snap);
    expect(e.status).toBe("NON_COMPLIANT");
    expect(JSON.stringify(e)).not.toContain(value);
  });
  it("flags the PHI-named contact attribute patient_id in the real health-clinic flow", () => {
    const content = readFileSync(
      "test/fixtures/connect/awssamples_health_clinical__contact-flow.json",
      "utf8",
    );
    const e = evaluate(
      "no-phi-in-metadata",
      apiSnapshot("AWS::Connect::ContactFlow", "f1", { Name: "Clinic", Content: content }),
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.hits).toEqual([{ field: "contact attribute patient_id", patterns: ["mrn"] }]);
  });
});

describe("control region-allow-list", () => {
  it("passes the real bucket item as a PHI bucket in an allowed region", () => {
    expect(evaluate("region-allow-list", victoraldir()).status).toBe("COMPLIANT");
  });
  it("fails a PHI bucket outside the allowed regions", () => {
    const e = evaluate("region-allow-list", victoraldir("phi-recordings", "eu-west-1"));
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence).toMatchObject({ region: "eu-west-1", allowedRegions: ["us-east-1"] });
  });
  it("fails a Connect instance outside the allowed regions, ignores non-PHI resources", () => {
    expect(
      evaluate(
        "region-allow-list",
        apiSnapshot("AWS::Connect::Instance", "i-1", { Id: "i-1" }, { region: "ap-southeast-2" }),
      ).status,
    ).toBe("NON_COMPLIANT");
    expect(evaluate("region-allow-list", { ...rdkSg(), region: "ap-southeast-2" }).status).toBe(
      "NOT_APPLICABLE",
    );
  });
});

describe("control phiwatch-self-protection", () => {
  const CMK = "arn:aws:kms:us-east-1:111122223333:key/0e6c91d5-e23b-4ed3-bd36-1561fbbc0a2d";
  const facts = testFacts({ keys: { [CMK]: { arn: CMK, keyManager: "CUSTOMER" } } });
  const table = (sse: unknown, pitr?: string) =>
    apiSnapshot(
      "AWS::DynamoDB::Table",
      "phiwatch-findings",
      { tableName: "phiwatch-findings", ...(sse ? { sSEDescription: sse } : {}) },
      {
        tags: { "phiwatch:component": "table" },
        supplementary: pitr
          ? {
              ContinuousBackupsDescription: {
                continuousBackupsStatus: pitr,
                pointInTimeRecoveryDescription: { pointInTimeRecoveryStatus: pitr },
              },
            }
          : {},
      },
    );
  it("passes a table with a customer-managed key and PITR", () => {
    expect(
      evaluate(
        "phiwatch-self-protection",
        table({ status: "ENABLED", sSEType: "KMS", kMSMasterKeyArn: CMK }, "ENABLED"),
        facts,
      ).status,
    ).toBe("COMPLIANT");
  });
  it.each([
    ["the AWS-owned key", table(undefined, "ENABLED"), "encrypted with the AWS-owned key"],
    [
      "PITR off",
      table({ status: "ENABLED", sSEType: "KMS", kMSMasterKeyArn: CMK }, "DISABLED"),
      "point-in-time recovery DISABLED",
    ],
  ])("fails a table with %s", (_n, snap, summary) => {
    const e = evaluate("phiwatch-self-protection", snap, facts);
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.summary).toContain(summary);
  });
  it("fails a topic on alias/aws/sns, passes a queue on a CMK, ignores untagged resources", () => {
    const topic = apiSnapshot(
      "AWS::SNS::Topic",
      "alerts",
      { KmsMasterKeyId: "alias/aws/sns" },
      { tags: { "phiwatch:component": "alerts" } },
    );
    expect(evaluate("phiwatch-self-protection", topic, facts).status).toBe("NON_COMPLIANT");
    const queue = apiSnapshot(
      "AWS::SQS::Queue",
      "forward",
      { KmsMasterKeyId: CMK },
      { tags: { "phiwatch:component": "forward" } },
    );
    expect(evaluate("phiwatch-self-protection", queue, facts).status).toBe("COMPLIANT");
    expect(
      evaluate("phiwatch-self-protection", apiSnapshot("AWS::SQS::Queue", "other", {}), facts).status,
    ).toBe("NOT_APPLICABLE");
  });
});

describe("control phiwatch-self-protection on Config items of phiwatch's stores as deployed", () => {
  // Real items (awslabs/aws-config-rdk, test/fixtures/README.md) renamed and tagged as the deploy does:
  // `Plan.resourceName`, `Plan.resourceTags` (app, stage, data-classification; no phiwatch:component).
  const CMK = "arn:aws:kms:us-east-1:111122223333:key/0e6c91d5-e23b-4ed3-bd36-1561fbbc0a2d";
  const facts = testFacts({ keys: { [CMK]: { arn: CMK, keyManager: "CUSTOMER" } } });
  const deployedTags = { app: "phiwatch", stage: "prod", "data-classification": "security-metadata" };
  const rdk = (file: string) => JSON.parse(readFileSync(`test/fixtures/config/${file}`, "utf8"));
  const table = (
    opts: {
      name?: string;
      tags?: Record<string, string>;
      sse?: Record<string, unknown>;
      pitr?: Record<string, unknown>;
    } = {},
  ) => {
    const ci = rdk("rdk__AWS_DynamoDB_Table.json");
    const name = opts.name ?? "phiwatch-prod-findings";
    const arn = `arn:aws:dynamodb:us-east-1:111122223333:table/${name}`;
    return fromConfigurationItem({
      ...ci,
      accountId: "111122223333",
      awsRegion: "us-east-1",
      arn,
      resourceId: name,
      resourceName: name,
      tags: opts.tags ?? deployedTags,
      configuration: {
        ...ci.configuration,
        tableName: name,
        tableArn: arn,
        ...("sse" in opts
          ? { sSEDescription: opts.sse }
          : { sSEDescription: { status: "ENABLED", sSEType: "KMS", kMSMasterKeyArn: CMK } }),
      },
      supplementaryConfiguration: {
        ...ci.supplementaryConfiguration,
        ContinuousBackupsDescription: {
          continuousBackupsStatus: "ENABLED",
          pointInTimeRecoveryDescription: opts.pitr ?? { pointInTimeRecoveryStatus: "ENABLED" },
        },
      },
    });
  };
  const topic = (supplementary: Record<string, unknown> = {}, name = "phiwatch-prod-alerts") => {
    const ci = rdk("rdk__AWS_SNS_Topic.json");
    const arn = `arn:aws:sns:us-east-1:111122223333:${name}`;
    return fromConfigurationItem({
      ...ci,
      accountId: "111122223333",
      arn,
      resourceId: arn,
      resourceName: name,
      tags: deployedTags,
      configuration: { ...ci.configuration, TopicArn: arn, Owner: "111122223333", KmsMasterKeyId: CMK },
      supplementaryConfiguration: { ...ci.supplementaryConfiguration, ...supplementary },
    });
  };

  it("applies to the table the deploy creates (its name and tags), not only to items tagged phiwatch:component", () => {
    const e = evaluate("phiwatch-self-protection", table({ sse: undefined }), facts);
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.summary).toContain("encrypted with the AWS-owned key");
    expect(e.evidence.component).toBe("findings");
  });
  it("applies to a store by its deployed name whatever its tags (a removed tag does not hide it)", () => {
    expect(evaluate("phiwatch-self-protection", table({ tags: {} }), facts).status).toBe("COMPLIANT");
    expect(
      evaluate(
        "phiwatch-self-protection",
        table({ tags: {}, pitr: { pointInTimeRecoveryStatus: "DISABLED" } }),
        facts,
      ).status,
    ).toBe("NON_COMPLIANT");
  });
  it.each([
    ["another table", "orders"],
    ["a phiwatch-shaped name of a store phiwatch does not deploy", "phiwatch-prod-orders"],
  ])("does not apply to %s", (_n, name) => {
    expect(evaluate("phiwatch-self-protection", table({ name, tags: {} }), facts).status).toBe(
      "NOT_APPLICABLE",
    );
  });
  it("passes the real item's recovery description (no period recorded), saying the period was not recorded", () => {
    const e = evaluate("phiwatch-self-protection", table(), facts);
    expect(e.status).toBe("COMPLIANT");
    expect(e.evidence.recoveryPeriodInDays).toBe("not recorded");
  });
  it.each([
    [
      { pointInTimeRecoveryStatus: "ENABLED", recoveryPeriodInDays: 7 },
      "point-in-time recovery period 7 days",
    ],
    [
      { pointInTimeRecoveryStatus: "ENABLED", RecoveryPeriodInDays: 1 },
      "point-in-time recovery period 1 day ",
    ],
  ])("fails a recovery period shortened below 35 days (%j)", (pitr, summary) => {
    const e = evaluate("phiwatch-self-protection", table({ pitr }), facts);
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.summary).toContain(summary);
    expect(e.summary).toContain("phiwatch deploys 35");
  });
  it("passes the full 35-day recovery period and records it", () => {
    const e = evaluate(
      "phiwatch-self-protection",
      table({ pitr: { pointInTimeRecoveryStatus: "ENABLED", recoveryPeriodInDays: 35 } }),
      facts,
    );
    expect(e.status).toBe("COMPLIANT");
    expect(e.evidence.recoveryPeriodInDays).toBe(35);
  });

  const policy = (...operations: string[]) =>
    JSON.stringify({
      Name: "__example_data_protection_policy",
      Version: "2021-06-01",
      Statement: operations.map((op, i) => ({
        Sid: `s${i}`,
        DataDirection: "Outbound",
        Principal: ["*"],
        DataIdentifier: ["arn:aws:dataprotection::aws:data-identifier/IpAddress"],
        Operation: { [op]: {} },
      })),
    });
  it("passes the real topic item (Config records no data-protection policy), saying so", () => {
    const e = evaluate("phiwatch-self-protection", topic(), facts);
    expect(e.status).toBe("COMPLIANT");
    expect(e.evidence.dataProtectionPolicy).toBe("not recorded");
  });
  it.each([
    ["Deny", "denies"],
    ["Deidentify", "masks or redacts"],
  ])("fails a data-protection policy with a %s statement on the alerts topic", (op, words) => {
    const e = evaluate(
      "phiwatch-self-protection",
      topic({ DataProtectionPolicy: policy("Audit", op) }),
      facts,
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.summary).toContain("data-protection policy");
    expect(e.summary).toContain(words);
  });
  it("fails a data-protection policy it cannot read, passes an audit-only or empty one", () => {
    expect(
      evaluate("phiwatch-self-protection", topic({ DataProtectionPolicy: "{not json" }), facts).summary,
    ).toContain("cannot be told");
    const audit = evaluate(
      "phiwatch-self-protection",
      topic({ DataProtectionPolicy: policy("Audit") }),
      facts,
    );
    expect(audit.status).toBe("COMPLIANT");
    expect(audit.evidence.dataProtectionPolicy).toBe("Audit");
    const none = evaluate("phiwatch-self-protection", topic({ DataProtectionPolicy: "" }), facts);
    expect(none.status).toBe("COMPLIANT");
    expect(none.evidence.dataProtectionPolicy).toBe("none");
  });
});
