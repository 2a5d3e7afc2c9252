import * as z from "zod";
import { InvalidEventError, UnsupportedEventError } from "../errors.ts";
import { fromConfigurationItem } from "../resource/config-item.ts";
import type { ResourceSnapshot } from "../resource/snapshot.ts";
import { EventBridgeEnvelopeSchema, parseWith } from "./eventbridge.ts";

export const CONFIG_DETAIL_TYPE = "Config Configuration Item Change";

const OversizedSummarySchema = z.object({
  configurationItemCaptureTime: z.string().min(1),
  configurationItemStatus: z.string().min(1),
  awsAccountId: z.string().regex(/^\d{12}$/),
  awsRegion: z.string().min(1),
  resourceType: z.string().min(1),
  resourceId: z.string().min(1),
  resourceName: z.string().nullish(),
  ARN: z.string().nullish(),
});

/** What a Config change event asks the handler to do. */
export type ConfigChange =
  | { kind: "item"; eventId: string; snapshot: ResourceSnapshot }
  | {
      kind: "oversized";
      eventId: string;
      /** Fetch the full item with Config `GetResourceConfigHistory` (laterTime = capture time, limit 1). */
      fetch: {
        accountId: string;
        region: string;
        resourceType: string;
        resourceId: string;
        capturedAt: string;
      };
    };

/**
 * Read a Config change in any of the shapes it is delivered in: an EventBridge "Config Configuration
 * Item Change" envelope, an SNS notification (`Message` a JSON string as SNS delivers it, or the object
 * AWS's documentation prints), a Config rule's `invokingEvent`, or a bare configuration item. Oversized
 * notifications name the item to fetch; other message types (`ComplianceChangeNotification`,
 * `ScheduledNotification`, the 2014 format's item arrays) are refused with the field named.
 *
 * @example
 * ```ts
 * const change = readConfigChange(eventBridgeEvent);
 * if (change.kind === "item") evaluate(change.snapshot);
 * ```
 */
export function readConfigChange(input: unknown): ConfigChange {
  if (!input || typeof input !== "object") throw new InvalidEventError("expected a JSON object", "event");
  const obj = input as Record<string, unknown>;

  if ("detail-type" in obj) {
    const env = parseWith(EventBridgeEnvelopeSchema, obj);
    if (env["detail-type"] !== CONFIG_DETAIL_TYPE || env.source !== "aws.config") {
      // The values are the event's text, not repeated in the reason (the payload holds them).
      throw new UnsupportedEventError(
        `not a Config item change (expected "${CONFIG_DETAIL_TYPE}" from aws.config)`,
        "event.detail-type",
      );
    }
    return fromNotification(env.detail, env.id, "event.detail");
  }
  if (obj.Type === "Notification" && (typeof obj.Message === "string" || isObject(obj.Message))) {
    // SNS delivers Message as a JSON string; AWS's documentation prints it as the object it encodes.
    let message: unknown = obj.Message;
    if (typeof message === "string") {
      try {
        message = JSON.parse(message);
      } catch (error) {
        throw new InvalidEventError("SNS Message is not JSON", "event.Message", { cause: error });
      }
    }
    return fromNotification(
      message as Record<string, unknown>,
      String(obj.MessageId ?? "sns"),
      "event.Message",
    );
  }
  if (typeof obj.invokingEvent === "string") {
    let invoking: unknown;
    try {
      invoking = JSON.parse(obj.invokingEvent);
    } catch (error) {
      throw new InvalidEventError("invokingEvent is not JSON", "event.invokingEvent", { cause: error });
    }
    return fromNotification(
      invoking as Record<string, unknown>,
      String(obj.resultToken ?? "rule"),
      "event.invokingEvent",
    );
  }
  if ("messageType" in obj) return fromNotification(obj, "notification", "event");
  if ("configurationItemCaptureTime" in obj) {
    const snapshot = fromConfigurationItem(obj, "event");
    return { kind: "item", eventId: `ci:${snapshot.resourceId}:${snapshot.capturedAt}`, snapshot };
  }
  throw new UnsupportedEventError(
    "not a Config change (expected an EventBridge envelope, SNS notification, invokingEvent or configuration item)",
    "event",
  );
}

/** AWS Config's other notification message types (Amazon SNS and rule invocations). */
const CONFIG_MESSAGE_TYPES = new Set([
  "ComplianceChangeNotification",
  "ConfigRulesEvaluationStarted",
  "ConfigurationHistoryDeliveryCompleted",
  "ConfigurationSnapshotDeliveryCompleted",
  "ConfigurationSnapshotDeliveryFailed",
  "ConfigurationSnapshotDeliveryStarted",
  "OversizedConfigurationItemChangeDeliveryFailed",
  "ScheduledNotification",
]);

function fromNotification(detail: Record<string, unknown>, eventId: string, path: string): ConfigChange {
  const messageType = detail?.messageType;
  if (messageType === "ConfigurationItemChangeNotification") {
    if (!detail.configurationItem) throw new InvalidEventError("missing", `${path}.configurationItem`);
    return {
      kind: "item",
      eventId,
      snapshot: fromConfigurationItem(detail.configurationItem, `${path}.configurationItem`),
    };
  }
  if (messageType === "OversizedConfigurationItemChangeNotification") {
    const s = parseWith(
      OversizedSummarySchema,
      detail.configurationItemSummary,
      `${path}.configurationItemSummary`,
    );
    return {
      kind: "oversized",
      eventId,
      fetch: {
        accountId: s.awsAccountId,
        region: s.awsRegion,
        resourceType: s.resourceType,
        resourceId: s.resourceId,
        capturedAt: s.configurationItemCaptureTime,
      },
    };
  }
  throw new UnsupportedEventError(
    // Named when it is one of AWS Config's own message types; anything else is the event's text.
    `${typeof messageType === "string" && CONFIG_MESSAGE_TYPES.has(messageType) ? messageType : "this messageType"} is not a configuration item change`,
    `${path}.messageType`,
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
