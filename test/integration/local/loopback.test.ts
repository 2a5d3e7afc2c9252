// The local stack listens on loopback only: DynamoDB Local (through LoopbackDynamoDBLocal.java, since
// it has no bind-address option), the local SNS/SQS/S3 endpoint (fauxqs, which binds 0.0.0.0 unless
// told otherwise) and the webhook receiver. Each port must answer on 127.0.0.1 and refuse a
// connection on every other address of this machine.
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Receiver, startReceiver } from "../../../packages/aws/src/index.ts";
import { LocalStack } from "../../../packages/cli/src/local/stack.ts";

/** Addresses of this machine other than loopback (link-local IPv6 left out: it needs a zone). */
const external = Object.values(networkInterfaces())
  .flat()
  .filter((a) => a !== undefined && !a.internal && !a.address.startsWith("fe80:"))
  .map((a) => a!.address);

function tryConnect(host: string, port: number): Promise<"connected" | string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve("timeout");
    });
    socket.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

let stack: LocalStack;
let receiver: Receiver;
const ports: Record<string, number> = {};

beforeAll(async () => {
  stack = await LocalStack.start({ baselineFile: "examples/baseline.yaml" });
  receiver = await startReceiver({ secrets: ["loopback-test-secret-0123456789"] });
  ports["DynamoDB Local"] = Number(new URL(process.env.AWS_ENDPOINT_URL_DYNAMODB!).port);
  ports["SNS/SQS/S3 (fauxqs)"] = Number(new URL(process.env.AWS_ENDPOINT_URL_SNS!).port);
  ports["webhook receiver"] = receiver.port;
});
afterAll(async () => {
  await receiver?.stop();
  await stack?.stop();
});

describe("local stack binds loopback only", () => {
  it("every endpoint answers on 127.0.0.1", async () => {
    expect(Object.keys(ports)).toHaveLength(3);
    for (const [name, port] of Object.entries(ports)) {
      expect(port, name).toBeGreaterThan(0);
      expect(`${name}: ${await tryConnect("127.0.0.1", port)}`).toBe(`${name}: connected`);
    }
  });

  it.skipIf(external.length === 0)(
    "no endpoint accepts a connection on another address of this machine",
    async () => {
      for (const address of external)
        for (const [name, port] of Object.entries(ports))
          expect(`${name} on ${address}: ${await tryConnect(address, port)}`).toBe(
            `${name} on ${address}: ECONNREFUSED`,
          );
    },
  );
});
