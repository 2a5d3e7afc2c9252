// Webhook secrets: env / file locally; SSM Parameter Store (SecureString) or Secrets Manager in AWS.
// Cached for five minutes per container; never logged.
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { SecretSource } from "@phiwatch/aws";

let ssm: SSMClient | undefined;
let secretsManager: SecretsManagerClient | undefined;

export const secretSource = new SecretSource({
  ssm: async (name) => {
    ssm ??= new SSMClient({});
    const r = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    return r.Parameter?.Value ?? "";
  },
  secretsManager: async (id) => {
    secretsManager ??= new SecretsManagerClient({});
    const r = await secretsManager.send(new GetSecretValueCommand({ SecretId: id }));
    return r.SecretString ?? "";
  },
});
