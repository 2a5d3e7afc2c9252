// enrichSnapshot adds what Config does not record from the service APIs. A key KMS cannot rotate
// automatically (imported material, custom key stores) is refused GetKeyRotationStatus by KMS
// (UnsupportedOperationException): asking would put an "unable" entry in every hourly posture for a
// key whose verdict kms-rotation already knows from its origin.
import { describe, expect, it } from "vitest";
import { enrichSnapshot } from "../../../packages/aws/src/index.ts";
import type { Report, ResourceSnapshot } from "../../../packages/core/src/index.ts";
import { apiSnapshot, evaluate, testFacts } from "../../helpers/facts.ts";

const ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const key = (origin?: string): ResourceSnapshot =>
  apiSnapshot(
    "AWS::KMS::Key",
    "1234abcd-12ab-34cd-56ef-1234567890ab",
    { keyManager: "CUSTOMER", ...(origin ? { origin } : {}) },
    { arn: ARN, source: "config" },
  );

/** A KMS client that answers as KMS does: rotation only for AWS_KMS-origin keys. */
function kms(origin: string | undefined) {
  const asked: string[] = [];
  const client = {
    send: async (cmd: { constructor: { name: string } }) => {
      asked.push(cmd.constructor.name);
      if (cmd.constructor.name === "GetKeyRotationStatusCommand") {
        if (origin && origin !== "AWS_KMS")
          throw Object.assign(new Error("not supported for this key"), {
            name: "UnsupportedOperationException",
          });
        return { KeyRotationEnabled: true, RotationPeriodInDays: 365 };
      }
      return { Policy: JSON.stringify({ Version: "2012-10-17", Statement: [] }) };
    },
  };
  return { asked, client: client as never };
}

describe("enrichSnapshot: KMS keys", () => {
  it.each(["EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"])(
    "does not ask the rotation of a key of origin %s, and reports nothing unable",
    async (origin) => {
      const { asked, client } = kms(origin);
      const unable: Report.UnableToEvaluate[] = [];
      const s = await enrichSnapshot(
        key(origin),
        { kms: client },
        { now: new Date(), unable: (u) => unable.push(u) },
      );
      expect(asked).toEqual(["GetKeyPolicyCommand"]);
      expect(unable).toEqual([]);
      expect(s.supplementary.KeyRotationStatus).toBeUndefined();
      expect(s.supplementary.Policy).toBeDefined();
    },
  );
  it.each([undefined, "AWS_KMS"])("asks the rotation of a key of origin %s", async (origin) => {
    const { asked, client } = kms(origin);
    const s = await enrichSnapshot(key(origin), { kms: client }, { now: new Date() });
    expect(asked).toEqual(["GetKeyRotationStatusCommand", "GetKeyPolicyCommand"]);
    expect(s.supplementary).toMatchObject({ KeyRotationStatus: true, RotationPeriodInDays: 365 });
  });
});

describe("enrichSnapshot: CloudTrail trails", () => {
  const TRAIL_ARN = "arn:aws:cloudtrail:us-east-1:111122223333:trail/org";
  const trail = (): ResourceSnapshot =>
    apiSnapshot(
      "AWS::CloudTrail::Trail",
      "org",
      { name: "org", trailARN: TRAIL_ARN, isMultiRegionTrail: true },
      { arn: TRAIL_ARN, source: "config" },
    );
  /** A CloudTrail client answering as the SDK does (times as `Date`, attempt times as strings). */
  const cloudtrail = (status: Record<string, unknown>) =>
    ({
      send: async (cmd: { constructor: { name: string } }) =>
        cmd.constructor.name === "GetTrailStatusCommand"
          ? status
          : { EventSelectors: [{ ReadWriteType: "All", IncludeManagementEvents: true, DataResources: [] }] },
    }) as never;

  it("keeps GetTrailStatus's delivery errors and times (ISO strings), so the controls can judge delivery", async () => {
    const s = await enrichSnapshot(
      trail(),
      {
        cloudtrail: cloudtrail({
          IsLogging: true,
          LatestDeliveryError: "AccessDenied",
          LatestDeliveryTime: new Date("2026-01-05T09:32:50.527Z"),
          LatestDeliveryAttemptTime: "2026-01-05T09:39:19Z",
          LatestDeliveryAttemptSucceeded: "2026-01-05T09:32:50Z",
          LatestDigestDeliveryError: "AccessDenied",
          LatestDigestDeliveryTime: new Date("2026-01-05T08:57:54.399Z"),
          LatestNotificationError: "ignored",
          $metadata: {},
        }),
      },
      { now: new Date("2026-01-05T10:00:00Z") },
    );
    expect(s.supplementary.TrailStatus).toEqual({
      IsLogging: true,
      LatestDeliveryError: "AccessDenied",
      LatestDeliveryTime: "2026-01-05T09:32:50.527Z",
      LatestDeliveryAttemptTime: "2026-01-05T09:39:19Z",
      LatestDeliveryAttemptSucceeded: "2026-01-05T09:32:50Z",
      LatestDigestDeliveryError: "AccessDenied",
      LatestDigestDeliveryTime: "2026-01-05T08:57:54.399Z",
    });
    const e = evaluate("cloudtrail-enabled", s, testFacts({ inventory: { "AWS::CloudTrail::Trail": [s] } }));
    expect(e.status).toBe("NON_COMPLIANT");
    expect(e.evidence.trails).toEqual([expect.objectContaining({ deliveryError: "AccessDenied" })]);
  });

  it("keeps a bounded error (a long value is cut, not stored whole)", async () => {
    const s = await enrichSnapshot(
      trail(),
      { cloudtrail: cloudtrail({ IsLogging: true, LatestDeliveryError: "x".repeat(5000) }) },
      { now: new Date("2026-01-05T10:00:00Z") },
    );
    expect((s.supplementary.TrailStatus as { LatestDeliveryError: string }).LatestDeliveryError.length).toBe(
      256,
    );
  });
});
