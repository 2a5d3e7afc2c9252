// Webhook secrets: env / file locally; SSM Parameter Store (SecureString) or Secrets Manager in AWS.
// Cached for five minutes per container; never logged.
import { SecretSource, secretsManagerFetcher, ssmFetcher } from "@phiwatch/aws";
import { clients } from "./runtime.ts";

export const secretSource = new SecretSource({
  ssm: ssmFetcher(clients.ssm),
  secretsManager: secretsManagerFetcher(clients.secretsManager),
});
