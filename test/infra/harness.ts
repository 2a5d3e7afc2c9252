// Evaluate sst.config.ts and infra/ offline: SST's globals are set up as its runtime does
// (.sst/platform/src/shim/run.js), Pulumi runs with runtime mocks that record every resource's inputs,
// and a loopback server stands in for the SST CLI's RPC (Runtime.Build, Provider.Aws.Bootstrap).
// Needs `.sst/platform` (scripts/ensure-sst.mjs installs it once).
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export const ACCOUNT = "999988887777";
/** The PhiwatchHashKey secret the app is evaluated with (at least 16 characters, as deploys require). */
export const TEST_HASH_KEY = "test-hash-key-0123456789abcdef";
export const REGION = "us-east-1";

export interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** Set for reads of existing resources (`Resource.get`), which create nothing. */
  readId?: string;
  /**
   * Logical names of the resources this one waits for (explicit `dependsOn` and the resources its
   * inputs come from), as sent to the engine: the deploy creates it only after they exist.
   */
  dependsOn: string[];
}

export interface Evaluation {
  resources: Recorded[];
  builds: Array<{ handler: string; runtime?: string; copyFiles?: unknown; links: Record<string, unknown> }>;
  outputs: Record<string, unknown>;
  of(type: string): Recorded[];
  one(type: string, name: string): Recorded;
}

const PLATFORM = resolve(".sst/platform");
const platformImport = (rel: string) => import(pathToFileURL(join(PLATFORM, rel)).href);

async function rpcServer(builds: Evaluation["builds"]): Promise<Server> {
  const work = mkdtempSync(join(tmpdir(), "phiwatch-sst-build-"));
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      const { method, params } = JSON.parse(body) as {
        method: string;
        params: Array<Record<string, unknown>>;
      };
      const input = params[0] ?? {};
      let result: unknown;
      if (method === "Provider.Aws.Bootstrap") {
        result = {
          asset: "sst-asset-test",
          assetEcrRegistryId: ACCOUNT,
          assetEcrUrl: "ecr.test",
          state: "sst-state-test",
        };
      } else if (method === "Runtime.Build") {
        builds.push({
          handler: String(input.handler),
          runtime: input.runtime as string | undefined,
          copyFiles: input.copyFiles,
          links: (input.links ?? {}) as Record<string, unknown>,
        });
        const out = join(work, String(input.functionID ?? builds.length));
        mkdirSync(out, { recursive: true });
        writeFileSync(join(out, "index.mjs"), "export const handler = async () => {};\n");
        result = { handler: "index.handler", out, errors: [], sourcemaps: [] };
      } else {
        res.end(JSON.stringify({ error: `rpc: can't find ${method}` }));
        return;
      }
      res.end(JSON.stringify({ result, error: null }));
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return server;
}

function fakeState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const physical = (inputs.name as string | undefined) ?? name;
  const service = type.split(":")[1]?.split("/")[0] ?? "x";
  const state: Record<string, unknown> = {
    ...inputs,
    name: physical,
    arn: `arn:aws:${service}:${REGION}:${ACCOUNT}:${physical}`,
  };
  if (type === "aws:dynamodb/table:Table") {
    state.arn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${physical}`;
    state.streamArn = `${state.arn}/stream/2024-01-01T00:00:00.000`;
  }
  if (type === "aws:sqs/queue:Queue") {
    state.arn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${physical}`;
    state.url = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${physical}`;
  }
  if (type === "aws:kms/key:Key") {
    state.keyId = "11111111-2222-3333-4444-555555555555";
    state.arn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${state.keyId}`;
  }
  if (type === "aws:iam/role:Role") state.arn = `arn:aws:iam::${ACCOUNT}:role/${physical}`;
  if (type === "aws:lambda/function:Function")
    state.arn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${physical}`;
  if (type === "aws:apigatewayv2/api:Api") {
    state.apiEndpoint = "https://abc.execute-api.us-east-1.amazonaws.com";
    state.executionArn = `arn:aws:execute-api:${REGION}:${ACCOUNT}:abc`;
  }
  return state;
}

/**
 * Load sst.config.ts for a stage and baseline file, run it under Pulumi mocks, and return what it
 * would create.
 */
export async function evaluateApp(stage: string, baselineFile: string): Promise<Evaluation> {
  if (!existsSync(join(PLATFORM, "node_modules/@pulumi/pulumi"))) {
    throw new Error("no .sst/platform: run `node scripts/ensure-sst.mjs` (npm test does it)");
  }
  const resources: Recorded[] = [];
  let registering: string[] | undefined;
  const builds: Evaluation["builds"] = [];
  const server = await rpcServer(builds);
  const port = (server.address() as AddressInfo).port;
  const work = mkdtempSync(join(tmpdir(), "phiwatch-sst-work-"));
  Object.assign(process.env, {
    SST_SERVER: `http://127.0.0.1:${port}`,
    SST_SECRET_PhiwatchHashKey: TEST_HASH_KEY,
    PHIWATCH_BASELINE: baselineFile,
    AWS_REGION: REGION,
  });
  try {
    const pulumi = await platformImport("node_modules/@pulumi/pulumi/index.js");
    pulumi.runtime.setMocks(
      {
        newResource(args: { type: string; name: string; inputs: Record<string, unknown>; id?: string }) {
          resources.push({
            type: args.type,
            name: args.name,
            inputs: args.inputs,
            dependsOn: registering ?? [],
            ...(args.id ? { readId: args.id } : {}),
          });
          registering = undefined;
          return { id: `${args.name}-id`, state: fakeState(args.type, args.name, args.inputs) };
        },
        call(args: { token: string; inputs: Record<string, unknown> }) {
          switch (args.token) {
            case "aws:index/getCallerIdentity:getCallerIdentity":
              return {
                accountId: ACCOUNT,
                arn: `arn:aws:iam::${ACCOUNT}:root`,
                userId: ACCOUNT,
                id: ACCOUNT,
              };
            case "aws:index/getRegion:getRegion":
              return { name: REGION, id: REGION };
            case "aws:index/getPartition:getPartition":
              return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
            case "aws:iam/getPolicyDocument:getPolicyDocument":
              return {
                json: JSON.stringify({ Version: "2012-10-17", Statement: args.inputs.statements ?? [] }),
              };
            default:
              return args.inputs;
          }
        },
      },
      "phiwatch",
      stage,
      false,
    );
    // The mocks are given a resource's inputs only; its dependencies are on the engine request, and
    // the mock monitor calls newResource synchronously inside registerResource (reads pass no request).
    const monitor = pulumi.runtime.getMonitor() as {
      registerResource(req: { getDependenciesList(): string[] }, cb: unknown): unknown;
    };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) => {
      registering = req.getDependenciesList().map((urn) => urn.slice(urn.lastIndexOf("::") + 2));
      return register(req, cb);
    };
    const awsProvider = await platformImport("node_modules/@pulumi/aws/index.js");
    const g = globalThis as Record<string, unknown>;
    // The globals SST's runtime defines before it loads the config (src/shim/run.js).
    Object.assign(g, {
      $app: { name: "phiwatch", stage, removal: "retain", providers: { aws: true }, protect: false },
      $cli: {
        command: "deploy",
        rpc: process.env.SST_SERVER,
        paths: { home: work, root: process.cwd(), work, platform: PLATFORM },
        state: { version: {} },
      },
      $dev: false,
      aws: awsProvider,
      $util: pulumi,
      $output: pulumi.output,
      $apply: pulumi.apply,
      $resolve: pulumi.all,
      $interpolate: pulumi.interpolate,
      $concat: pulumi.concat,
      $jsonParse: pulumi.jsonParse,
      $jsonStringify: pulumi.jsonStringify,
      $secrets: {},
      $config: (c: unknown) => c,
    });
    const component = await platformImport("src/components/component.ts");
    const link = await platformImport("src/components/link.ts");
    Object.assign(g, {
      $transform: component.$transform,
      $asset: component.$asset,
      $linkable: link.Link.makeLinkable,
    });
    g.sst = await platformImport("src/components/index.ts");
    const config = (await import(pathToFileURL(resolve("sst.config.ts")).href)).default as {
      app(input: { stage: string }): Record<string, unknown>;
      run(): Promise<Record<string, unknown>>;
    };
    (g.$app as Record<string, unknown>).protect = config.app({ stage }).protect;
    const outputs = await config.run();
    const resolved = await new Promise<Record<string, unknown>>((ok) => pulumi.output(outputs).apply(ok));
    // Let applies that register further resources (roles' policies, alarms) settle.
    let count = -1;
    while (count !== resources.length) {
      count = resources.length;
      await new Promise((r) => setTimeout(r, 200));
    }
    return {
      resources,
      builds,
      outputs: resolved,
      of: (type) => resources.filter((r) => r.type === type),
      one: (type, name) => {
        const r = resources.find((x) => x.type === type && x.name === name);
        if (!r) throw new Error(`no ${type} named ${name}`);
        return r;
      },
    };
  } finally {
    server.close();
  }
}
