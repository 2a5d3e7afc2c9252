import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Finding } from "@phiwatch/core";
import { findingFromItem } from "./store/items.ts";

/** The old and new finding of a table-stream record; `next` is undefined for other item kinds. */
export function findingChangeOf(record: { dynamodb?: { OldImage?: unknown; NewImage?: unknown } }): {
  old?: Finding;
  next?: Finding;
} {
  const image = (i: unknown) => (i ? unmarshall(i as Record<string, AttributeValue>) : undefined);
  const next = findingFromItem(image(record.dynamodb?.NewImage));
  const old = findingFromItem(image(record.dynamodb?.OldImage));
  return { ...(old ? { old } : {}), ...(next ? { next } : {}) };
}
