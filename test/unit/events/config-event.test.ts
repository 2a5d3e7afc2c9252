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

describe("fromConfigurationItem", () => {
  it("reads the API shape of a real item (accountId, arn) as rdk sample-ci writes it", async () => {
    const { fromConfigurationItem } = await import("../../../packages/core/src/index.ts");
    const s = fromConfigurationItem(fixture("rdk__AWS_Cloudtrail_Trail.json"));
    expect(s.resourceType).toBe("AWS::CloudTrail::Trail");
    expect(s.accountId).toMatch(/^\d{12}$/);
    expect(s.arn).toMatch(/^arn:aws:cloudtrail:/);
  });
});
