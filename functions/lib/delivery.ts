// The queued webhook delivery, shared by notify (which enqueues it) and forward (which sends it).
// Kept apart from announce.ts so forward does not load the alert publisher and the control registry.
import type { Format } from "@phiwatch/core";

/** A webhook delivery as queued for functions/forward: the target's name and the finding event. */
export interface DeliveryMessage {
  target: string;
  event: Format.FindingEvent;
}

/** FIFO message group of a delivery: order is kept per finding per target. */
export function deliveryGroup(m: DeliveryMessage): string {
  return `${m.target}:${m.event.finding.findingId}`;
}
