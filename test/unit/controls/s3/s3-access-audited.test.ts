import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fromConfigurationItem, type ResourceSnapshot } from "../../../../packages/core/src/index.ts";
import { apiSnapshot, evaluate, testFacts } from "../../../helpers/facts.ts";

const T = "AWS::CloudTrail::Trail";
/** The real RDK S3 item: BucketLoggingConfiguration with a null destination (server access logging off). */
function rdkBucket(name = "phi-recordings"): ResourceSnapshot {
  const ci = JSON.parse(readFileSync("test/fixtures/config/rdk__AWS_S3_Bucket.json", "utf8"));
  return fromConfigurationItem({
    ...ci,
    awsAccountId: "111122223333",
    resourceId: name,
    resourceName: name,
    awsRegion: "us-east-1",
  });
}
const trail = (supplementary: Record<string, unknown>) =>
  apiSnapshot(
    T,
    "org",
    { Name: "org", IsMultiRegionTrail: true },
    { supplementary: { TrailStatus: { IsLogging: true }, ...supplementary } },
  );
const reads = (prefix: string) => ({
  AdvancedEventSelectors: [
    {
      FieldSelectors: [
        { Field: "eventCategory", Equals: ["Data"] },
        { Field: "resources.type", Equals: ["AWS::S3::Object"] },
        { Field: "resources.ARN", StartsWith: [prefix] },
      ],
    },
  ],
});

describe("control s3-access-audited", () => {
  it("fails on the real item (logging off) when no trail records its reads", () => {
    const e = evaluate(
      "s3-access-audited",
      rdkBucket(),
      testFacts({ inventory: { [T]: [trail(reads("arn:aws:s3:::other/"))] } }),
    );
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.serverAccessLogging).toBe("off");
  });
  it("passes when a logging trail's advanced selector covers the bucket", () => {
    const e = evaluate(
      "s3-access-audited",
      rdkBucket(),
      testFacts({ inventory: { [T]: [trail(reads("arn:aws:s3:::phi-recordings/"))] } }),
    );
    expect(e.status).toBe("COMPLIANT");
    expect(e.evidence).toMatchObject({ trail: "org", selector: "AdvancedEventSelectors[0]" });
  });
  it("passes on server access logging even without a covering trail", () => {
    const b = rdkBucket();
    b.supplementary.BucketLoggingConfiguration = {
      destinationBucketName: "phi-access-logs",
      logFilePrefix: "s3/",
    };
    expect(evaluate("s3-access-audited", b, testFacts({ inventory: { [T]: [] } })).status).toBe("COMPLIANT");
  });
  it("fails on a partial (prefix-only) selector", () => {
    const e = evaluate(
      "s3-access-audited",
      rdkBucket(),
      testFacts({ inventory: { [T]: [trail(reads("arn:aws:s3:::phi-recordings/connect/"))] } }),
    );
    expect(e.status).toBe("NON_COMPLIANT");
  });
  describe("a covering trail that cannot deliver (GetTrailStatus LatestDeliveryError)", () => {
    // A bucket policy refusing CloudTrail: the latest attempt failed after the last delivery.
    const failing = {
      IsLogging: true,
      LatestDeliveryError: "AccessDenied",
      LatestDeliveryTime: "2026-01-05T09:32:50.527Z",
      LatestDeliveryAttemptTime: "2026-01-05T09:39:19Z",
      LatestDeliveryAttemptSucceeded: "2026-01-05T09:32:50Z",
    };
    const judge = (status: Record<string, unknown>) =>
      evaluate(
        "s3-access-audited",
        rdkBucket(),
        testFacts({
          inventory: { [T]: [trail({ ...reads("arn:aws:s3:::phi-recordings/"), TrailStatus: status })] },
        }),
      );
    it("fails: the trail's data events never reach S3; the trail and error code are in the evidence", () => {
      const e = judge(failing);
      expect(e.status).toBe("NON_COMPLIANT");
      expect(e.evidence.proof).toBeUndefined();
      expect(e.evidence.trails).toEqual([
        {
          trail: "org",
          coverage: "none",
          reason: "log files not delivered: the latest delivery attempt failed (AccessDenied)",
          deliveryError: "AccessDenied",
        },
      ]);
    });
    it("says cannot prove when nothing orders the error against the last delivery", () => {
      const e = judge({ ...failing, LatestDeliveryAttemptTime: "", LatestDeliveryAttemptSucceeded: "" });
      expect(e.status).toBe("NON_COMPLIANT");
      expect(e.evidence.proof).toBe("cannot prove");
      expect(e.evidence.trails).toEqual([
        expect.objectContaining({ trail: "org", coverage: "unknown", deliveryError: "AccessDenied" }),
      ]);
    });
    it("passes when a delivery succeeded after the error", () => {
      const e = judge({
        ...failing,
        LatestDeliveryAttemptTime: "2026-01-05T10:05:12Z",
        LatestDeliveryAttemptSucceeded: "2026-01-05T10:05:12Z",
      });
      expect(e.status).toBe("COMPLIANT");
    });
  });
  it("says cannot prove when the trails are unknown", () => {
    const e = evaluate("s3-access-audited", rdkBucket(), testFacts());
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.proof).toBe("cannot prove");
  });
  it("is not applicable to a bucket outside the baseline", () => {
    expect(evaluate("s3-access-audited", rdkBucket("marketing")).status).toBe("NOT_APPLICABLE");
  });
});
