import {
  type ConfigServiceClient,
  GetResourceConfigHistoryCommand,
  type ResourceType,
} from "@aws-sdk/client-config-service";
import { fromConfigurationItem, PhiwatchError, type ResourceSnapshot } from "@phiwatch/core";

/**
 * Fetch the configuration item that an `OversizedConfigurationItemChangeNotification` announces
 * (items over 256 KB are not carried in the event). Config's history API returns the item with
 * `configuration` and supplementary values as JSON strings; `fromConfigurationItem` parses them.
 */
export async function fetchConfigurationItem(
  config: ConfigServiceClient,
  ref: { resourceType: string; resourceId: string; capturedAt: string },
): Promise<ResourceSnapshot> {
  const r = await config.send(
    new GetResourceConfigHistoryCommand({
      resourceType: ref.resourceType as ResourceType,
      resourceId: ref.resourceId,
      laterTime: new Date(ref.capturedAt),
      limit: 1,
      chronologicalOrder: "Reverse",
    }),
  );
  const item = r.configurationItems?.[0];
  if (!item)
    throw new PhiwatchError(
      `Config has no history item for ${ref.resourceType} ${ref.resourceId} at ${ref.capturedAt}`,
    );
  // History can lag the notification: an older item is not the configuration announced. Failing lets
  // Lambda retry later (and, when retries run out, keeps the event in the dead-letter queue) instead
  // of evaluating a configuration that no longer holds. One second of slack for time precision.
  const at = item.configurationItemCaptureTime?.getTime();
  if (at === undefined || at < Date.parse(ref.capturedAt) - 1000)
    throw new PhiwatchError(
      `Config history has no item captured at ${ref.capturedAt} yet for ${ref.resourceType} ${ref.resourceId} (newest: ${item.configurationItemCaptureTime?.toISOString() ?? "no capture time"})`,
    );
  return fromConfigurationItem(
    {
      ...item,
      configurationItemCaptureTime: item.configurationItemCaptureTime?.toISOString(),
      awsAccountId: item.accountId,
      awsRegion: item.awsRegion,
      ARN: item.arn,
      configurationItemStatus: item.configurationItemStatus,
      supplementaryConfiguration: item.supplementaryConfiguration,
    },
    "GetResourceConfigHistory.configurationItems.0",
  );
}
