import type { Finding } from "../../../packages/core/src/index.ts";

/** An open drift finding as the lifecycle stores it. */
export function driftFinding(over: Partial<Finding> = {}): Finding {
  return {
    findingId: "f-0123456789abcdef01234567",
    kind: "drift",
    ruleId: "s3-encryption-cmk",
    title: "PHI buckets encrypt with a customer-managed KMS key",
    severity: "high",
    status: "OPEN",
    subject: {
      accountId: "111122223333",
      region: "us-east-1",
      resourceType: "AWS::S3::Bucket",
      resourceId: "phi-recordings",
    },
    hipaa: ["164.312(a)(2)(iv)"],
    summary: "SSE-S3 (AES256) instead of aws:kms",
    evidence: { sseAlgorithm: "AES256", bucketKeyEnabled: false },
    remediation:
      "aws s3api put-bucket-encryption --bucket phi-recordings --server-side-encryption-configuration …",
    firstSeen: "2026-03-03T10:00:00.000Z",
    lastSeen: "2026-03-03T10:00:00.000Z",
    statusChangedAt: "2026-03-03T10:00:00.000Z",
    transitions: 1,
    ...over,
  };
}

/** An open activity finding (an access spike by an Identity Center user). */
export function activityFinding(over: Partial<Finding> = {}): Finding {
  return {
    findingId: "f-fedcba9876543210fedcba98",
    kind: "activity",
    ruleId: "access-volume-spike",
    title: "PHI reads stay within the principal's learned volume",
    severity: "high",
    status: "OPEN",
    subject: {
      accountId: "111122223333",
      region: "us-east-1",
      resourceType: "AWS::S3::Bucket",
      resourceId: "phi-recordings",
      principal: "arn:aws:iam::111122223333:role/qa-analytics",
    },
    hipaa: ["164.308(a)(1)(ii)(D)"],
    summary: "2000 GetObject in 15 min (profile mean 15 for this hour)",
    evidence: { observed: 2000, mean: 15, windowMinutes: 15 },
    firstSeen: "2026-03-03T02:00:00.000Z",
    lastSeen: "2026-03-03T02:14:00.000Z",
    statusChangedAt: "2026-03-03T02:00:00.000Z",
    transitions: 1,
    count: 2000,
    windowStart: "2026-03-03T02:00:00.000Z",
    ...over,
  };
}

/**
 * PHI-looking strings put in every caller-supplied field, and the clear-text needles that must never
 * appear in any payload built from it.
 */
export const PHI_NEEDLES = [
  "jane.doe@example.org",
  "123-45-6789",
  "078051120",
  "01/02/1980",
  "1980-01-02",
  "(555) 123-4567",
  "+15551234567",
  "4111 1111 1111 1111",
  "MRN 00123456",
  "00123456",
  "AB-99812",
] as const;

export function phiLadenFinding(kind: "drift" | "activity" = "activity"): Finding {
  const base = kind === "drift" ? driftFinding() : activityFinding();
  return {
    ...base,
    title: "Reads by jane.doe@example.org",
    summary: "caller SSN 123-45-6789, DOB 01/02/1980, phone (555) 123-4567, MRN 00123456",
    subject: {
      ...base.subject,
      resourceId: "phi-recordings/patient 078051120",
      principal:
        "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_QA_0123456789abcdef/jane.doe@example.org",
    },
    evidence: {
      sessionName: "jane.doe@example.org",
      "caller jane.doe@example.org": true,
      contactAttributes: { dob: "1980-01-02", phone: "+15551234567", card: "4111 1111 1111 1111" },
      notes: ["member id AB-99812", "ssn 078051120"],
      observed: 2000,
    },
    remediation: "Call the patient at (555) 123-4567 to verify",
    suppression: {
      reason: "ticket for jane.doe@example.org",
      until: "2026-04-01T00:00:00.000Z",
      by: "jane.doe@example.org",
    },
  };
}
