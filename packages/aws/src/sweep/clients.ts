import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { ConfigServiceClient } from "@aws-sdk/client-config-service";
import { ConnectClient } from "@aws-sdk/client-connect";
import { KMSClient } from "@aws-sdk/client-kms";
import { S3Client } from "@aws-sdk/client-s3";
import { S3ControlClient } from "@aws-sdk/client-s3-control";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { RegionClients } from "./reader.ts";

/**
 * Read-only clients for one region (sweep and scan), created once per region per container.
 */
export function regionalReadClients(): (region: string) => RegionClients {
  const cache = new Map<string, RegionClients>();
  return (region) => {
    let c = cache.get(region);
    if (!c) {
      c = {
        config: new ConfigServiceClient({ region }),
        kms: new KMSClient({ region }),
        cloudtrail: new CloudTrailClient({ region }),
        connect: new ConnectClient({ region }),
        s3control: new S3ControlClient({ region }),
        s3: new S3Client({ region }),
      };
      cache.set(region, c);
    }
    return c;
  };
}

/** The account the credentials belong to (STS GetCallerIdentity). */
export async function callerAccount(): Promise<string> {
  const r = await new STSClient({}).send(new GetCallerIdentityCommand({}));
  if (!r.Account) throw new Error("GetCallerIdentity returned no account");
  return r.Account;
}
