import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  InvalidEventError,
  readConfigChange,
  UnsupportedEventError,
} from "../../../packages/core/src/index.ts";

const fixture = (name: string) => JSON.parse(readFileSync(`test/fixtures/config/${name}`, "utf8"));

describe("readConfigChange", () => {
  it("reads a real EventBridge Config Configuration Item Change envelope", () => {
    const change = readConfigChange(fixture("awsdocs__eventbridge_ConfigConfigurationItemChange_EFS.json"));
    expect(change.kind).toBe("item");
    if (change.kind !== "item") return;
    expect(change.eventId).toBe("00bdf13e-1111-b2f5-cef0-e9cbbe7cd533");
    expect(change.snapshot).toMatchObject({
      resourceType: "AWS::EFS::FileSystem",
      accountId: "123456789012",
      region: "us-east-1",
      state: "present",
    });
  });

  it("names the item to fetch for a real oversized notification", () => {
    const change = readConfigChange(
      fixture("custodian_omnissm__eventbridge_OversizedConfigurationItemChangeNotification_SSM.json"),
    );
    expect(change).toMatchObject({
      kind: "oversized",
      fetch: { resourceType: "AWS::SSM::ManagedInstanceInventory", resourceId: "mi-1234567890123456" },
    });
  });

  it("reads a real SNS notification of a deleted bucket as a deleted snapshot", () => {
    const change = readConfigChange(
      fixture("custodian__sns_ConfigurationItemChangeNotification_S3Bucket_Deleted.json"),
    );
    expect(change.kind === "item" && change.snapshot.state).toBe("deleted");
  });

  it("parses JSON strings Config nests inside a real S3 item (bucket policy)", () => {
    const change = readConfigChange(fixture("rdk__AWS_S3_Bucket.json"));
    if (change.kind !== "item") throw new Error("expected item");
    const policy = change.snapshot.supplementary.BucketPolicy as { policyText: { Statement: unknown[] } };
    expect(policy.policyText.Statement).toHaveLength(1);
  });

  it("names the field when the account id is malformed", () => {
    const event = fixture("awsdocs__eventbridge_ConfigConfigurationItemChange_EFS.json");
    event.account = "12";
    expect(() => readConfigChange(event)).toThrowError(InvalidEventError);
    try {
      readConfigChange(event);
    } catch (e) {
      expect((e as InvalidEventError).field).toBe("event.account");
    }
  });

  it("rejects an event of another detail-type as unsupported", () => {
    const event = fixture("awsdocs__eventbridge_ConfigConfigurationItemChange_EFS.json");
    event["detail-type"] = "AWS API Call via CloudTrail";
    expect(() => readConfigChange(event)).toThrowError(UnsupportedEventError);
  });
});

describe("readConfigChange on every published delivery shape", () => {
  const item = (name: string) => {
    const change = readConfigChange(fixture(name));
    if (change.kind !== "item") throw new Error(`expected an item from ${name}`);
    return change;
  };
  const refusal = (name: string) => {
    try {
      readConfigChange(fixture(name));
    } catch (e) {
      return e as InvalidEventError | UnsupportedEventError;
    }
    throw new Error(`expected ${name} to be refused`);
  };

  it("reads an SNS notification in the documentation's form (Message printed as an object)", () => {
    const change = item("awsdocs__sns_ConfigurationItemChangeNotification_SecurityGroup_relationships.json");
    expect(change.eventId).toBe("564d873e-711e-51a3-b48c-d7d064f65bf4");
    expect(change.snapshot).toMatchObject({
      resourceType: "AWS::EC2::SecurityGroup",
      resourceId: "sg-3f1fef43",
      accountId: "123456789012",
      state: "present",
    });
    expect(
      item("awsdocs__sns_ConfigurationItemChangeNotification_EC2Instance_relationships.json").snapshot,
    ).toMatchObject({ resourceType: "AWS::EC2::Instance", resourceId: "i-007d374c8912e3e90" });
  });

  it("reads a real SNS delivery (Message a JSON string) and a Config rule's invokingEvent", () => {
    const created = item("custodian__sns_ConfigurationItemChangeNotification_S3Bucket_Created.json");
    expect(created.snapshot).toMatchObject({
      resourceType: "AWS::S3::Bucket",
      resourceId: "custodian-test-data-23",
    });
    expect(item("custodian__rule_event_S3Bucket.json").snapshot).toMatchObject({
      resourceType: "AWS::S3::Bucket",
      resourceId: "c7n-fire-logs",
    });
    const rule = item("awsdocs__lambda_rule_event_ConfigurationItemChangeNotification.json");
    expect(rule.eventId).toBe("myResultToken");
    expect(rule.snapshot).toMatchObject({ resourceType: "AWS::EC2::Instance", resourceId: "i-00000000" });
  });

  it("names the item to fetch for the documented oversized forms (rule event and notification)", () => {
    for (const name of [
      "awsdocs__lambda_rule_event_OversizedConfigurationItemChangeNotification.json",
      "awsdocs__OversizedConfigurationItemChangeNotification_summary.json",
    ]) {
      const change = readConfigChange(fixture(name));
      expect(change.kind, name).toBe("oversized");
    }
    expect(
      readConfigChange(fixture("awsdocs__OversizedConfigurationItemChangeNotification_summary.json")),
    ).toMatchObject({
      fetch: {
        accountId: "123456789012",
        resourceId: "resourceId_14b76876-7969-4097-ab8e-a31942b02e80",
        capturedAt: "2016-10-06T16:46:16.261Z",
      },
    });
  });

  it("refuses what is not an item change, naming the message type", () => {
    const compliance = refusal("awsdocs__sns_ComplianceChangeNotification_cloudtrail-enabled.json");
    expect(compliance).toBeInstanceOf(UnsupportedEventError);
    expect(compliance.field).toBe("event.Message.messageType");
    expect(compliance.message).toContain("ComplianceChangeNotification");
    const scheduled = refusal("awsdocs__lambda_rule_event_ScheduledNotification.json");
    expect(scheduled).toBeInstanceOf(UnsupportedEventError);
    expect(scheduled.field).toBe("event.invokingEvent.messageType");
  });

  it("refuses the 2014 notification format (configurationItem as an array) naming the field", () => {
    const old = refusal("awsdocs__sns_ConfigurationItemChangeNotification_EC2Volume.json");
    expect(old).toBeInstanceOf(InvalidEventError);
    expect(old.field).toBe("event.Message.configurationItem");
  });
});

describe("fromConfigurationItem", () => {
  it("reads the API shape of a real item (accountId, arn) as rdk sample-ci writes it", async () => {
    const { fromConfigurationItem } = await import("../../../packages/core/src/index.ts");
    const s = fromConfigurationItem(fixture("rdk__AWS_Cloudtrail_Trail.json"));
    expect(s.resourceType).toBe("AWS::CloudTrail::Trail");
    expect(s.accountId).toMatch(/^\d{12}$/);
    expect(s.arn).toMatch(/^arn:aws:cloudtrail:/);
  });
});
