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
