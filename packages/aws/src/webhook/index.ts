export { deliverEvent, retryPolicyOf } from "./deliver-event.ts";
export { confirmHecAck, hecAckUrl, hecChannel } from "./hec-ack.ts";
export {
  parseConcatenatedJson,
  type ReceivedDelivery,
  type Receiver,
  type ReceiverOptions,
  type RejectedRequest,
  startReceiver,
} from "./receiver.ts";
export {
  MIN_SECRET_LENGTH,
  type SecretFetcher,
  type SecretRef,
  SecretSource,
  type SecretSourceOptions,
  SecretUnavailableError,
} from "./secrets.ts";
export {
  type DeliverOptions,
  deliverWebhook,
  type Resolver,
  type SendOptions,
  type SendResult,
  sendWebhook,
  systemResolver,
} from "./sender.ts";
