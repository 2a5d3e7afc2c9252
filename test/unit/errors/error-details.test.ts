import { describe, expect, it } from "vitest";
import {
  errorDetails,
  InvalidEventError,
  PhiwatchError,
  RedactedError,
} from "../../../packages/core/src/index.ts";

const KEY = "patients/jane-roe/2026-03-01T10-00-00.wav";

/** An S3 AccessDenied as the AWS SDK v3 builds it: the message and a member quote the object key. */
function accessDenied(): Error {
  return Object.assign(
    new Error(
      `User: arn:aws:sts::111122223333:assumed-role/phiwatch-access/jane.roe is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::recordings/${KEY}"`,
    ),
    {
      name: "AccessDenied",
      Key: KEY,
      $fault: "client",
      $metadata: { httpStatusCode: 403, requestId: "4442587FB7D0A2F9", attempts: 1 },
    },
  );
}

describe("errorDetails", () => {
  it("keeps the AWS error code, HTTP status and request id of a failed call, never its message or members", () => {
    const d = errorDetails(accessDenied());
    expect(d).toEqual({ name: "AccessDenied", status: 403, requestId: "4442587FB7D0A2F9" });
    expect(JSON.stringify(d)).not.toContain("jane");
  });

  it("keeps an input error's field path and the details of a cause", () => {
    const e = new PhiwatchError(`write failed for ${KEY}`, {
      cause: new InvalidEventError(`bad value ${KEY}`, "event.detail.eventTime"),
    });
    expect(errorDetails(e)).toEqual({
      name: "PhiwatchError",
      cause: { name: "InvalidEventError", field: "event.detail.eventTime" },
    });
  });

  it("does not repeat a name or request id that is not an identifier, nor what is not an Error", () => {
    const odd = Object.assign(new Error("x"), { name: `Err ${KEY}`, $metadata: { requestId: `id ${KEY}` } });
    expect(errorDetails(odd)).toEqual({ name: "Error" });
    expect(errorDetails(KEY)).toEqual({ name: "string" });
    expect(errorDetails({ message: KEY })).toEqual({ name: "object" });
  });
});

describe("RedactedError", () => {
  it("rethrows under the original's name with only its details as the message", () => {
    const e = new RedactedError(accessDenied());
    expect(e.name).toBe("AccessDenied");
    expect(e.message).toBe("AccessDenied (HTTP 403, request 4442587FB7D0A2F9; message withheld)");
    expect(`${e.stack}`).not.toContain("jane");
    expect(e.cause).toBeUndefined();
  });
});
