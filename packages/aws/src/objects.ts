import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";

/** Largest object read (a CloudTrail log file is usually well under 50 MB). */
export const MAX_OBJECT_BYTES = 128 * 1024 * 1024;

/** Read one object's bytes (CloudTrail log files as delivered to the trail bucket). */
export async function readObject(s3: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if ((r.ContentLength ?? 0) > MAX_OBJECT_BYTES)
    throw new Error(`s3://${bucket}/…: larger than ${MAX_OBJECT_BYTES} bytes`);
  return r.Body!.transformToByteArray();
}
