// Oversized notifications: the item is fetched from Config's history, which can lag the notification.
import { ConfigServiceClient, GetResourceConfigHistoryCommand } from "@aws-sdk/client-config-service";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { fetchConfigurationItem } from "../../../packages/aws/src/config-reader.ts";

const config = mockClient(ConfigServiceClient);
afterEach(() => config.reset());

const ref = {
  resourceType: "AWS::S3::Bucket",
  resourceId: "northwind-connect-recordings",
  capturedAt: "2026-03-05T10:00:00.000Z",
};
const historyItem = (capturedAt: string) => ({
  version: "1.3",
  accountId: "111122223333",
  configurationItemCaptureTime: new Date(capturedAt),
  configurationItemStatus: "OK" as const,
  resourceType: "AWS::S3::Bucket" as const,
  resourceId: "northwind-connect-recordings",
  resourceName: "northwind-connect-recordings",
  arn: "arn:aws:s3:::northwind-connect-recordings",
  awsRegion: "us-east-1",
  configuration: "{}",
  supplementaryConfiguration: {},
});

describe("fetchConfigurationItem", () => {
  it("returns the item captured at the notification's time", async () => {
    config
      .on(GetResourceConfigHistoryCommand)
      .resolves({ configurationItems: [historyItem(ref.capturedAt)] });
    const s = await fetchConfigurationItem(new ConfigServiceClient({ region: "us-east-1" }), ref);
    expect(s).toMatchObject({ resourceId: "northwind-connect-recordings", capturedAt: ref.capturedAt });
  });

  it("fails (so Lambda retries) when history has only an older item: it is not the configuration announced", async () => {
    config
      .on(GetResourceConfigHistoryCommand)
      .resolves({ configurationItems: [historyItem("2026-03-01T08:00:00.000Z")] });
    await expect(
      fetchConfigurationItem(new ConfigServiceClient({ region: "us-east-1" }), ref),
    ).rejects.toThrow(/no item captured at 2026-03-05T10:00:00.000Z yet .*newest: 2026-03-01T08:00:00.000Z/);
  });

  it("fails when history has no item at all", async () => {
    config.on(GetResourceConfigHistoryCommand).resolves({ configurationItems: [] });
    await expect(
      fetchConfigurationItem(new ConfigServiceClient({ region: "us-east-1" }), ref),
    ).rejects.toThrow(/no history item/);
  });
});
