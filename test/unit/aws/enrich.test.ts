// enrichSnapshot adds what Config does not record from the service APIs. A key KMS cannot rotate
// automatically (imported material, custom key stores) is refused GetKeyRotationStatus by KMS
// (UnsupportedOperationException): asking would put an "unable" entry in every hourly posture for a
// key whose verdict kms-rotation already knows from its origin.
import { describe, expect, it } from "vitest";
import { enrichSnapshot } from "../../../packages/aws/src/index.ts";
import type { Report, ResourceSnapshot } from "../../../packages/core/src/index.ts";
import { apiSnapshot } from "../../helpers/facts.ts";

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
