import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import type { SecretFetcher } from "./secrets.ts";

/** SSM Parameter Store (SecureString, decrypted) as a secret source. */
export function ssmFetcher(ssm: () => SSMClient): SecretFetcher {
  return async (name) =>
    (await ssm().send(new GetParameterCommand({ Name: name, WithDecryption: true }))).Parameter?.Value ?? "";
}

/** Secrets Manager as a secret source. */
export function secretsManagerFetcher(sm: () => SecretsManagerClient): SecretFetcher {
  return async (id) => (await sm().send(new GetSecretValueCommand({ SecretId: id }))).SecretString ?? "";
}
