// phiwatch-self-protection and region-allow-list know phiwatch's own stores by the names the deploy
// gives them (Plan.STORES): every table, topic and queue infra/ creates must be listed there, as named.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { STORES, storeOf } from "../../../packages/core/src/plan/index.ts";

const TYPES: Record<string, string> = {
  "dynamodb.Table": "AWS::DynamoDB::Table",
  "sns.Topic": "AWS::SNS::Topic",
  "sqs.Queue": "AWS::SQS::Queue",
};

/** `[resourceType, what]` of each store infra/ creates, read from `name: name("what")` (`.fifo` appended). */
function deployedStores(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const file of readdirSync("infra").filter((f) => f.endsWith(".ts"))) {
    const text = readFileSync(`infra/${file}`, "utf8");
    for (const m of text.matchAll(
      /new aws\.(dynamodb\.Table|sns\.Topic|sqs\.Queue)\("\w+", \{\s*name: (?:`\$\{name\("([a-z-]+)"\)\}(\.fifo)`|name\("([a-z-]+)"\)),/g,
    ))
      out.push([TYPES[m[1]!]!, `${m[2] ?? m[4]}${m[3] ?? ""}`]);
  }
  return out.sort();
}

describe("phiwatch's stores", () => {
  it("Plan.STORES lists exactly the tables, topics and queues infra/ creates, as it names them", () => {
    const created = deployedStores();
    const listed = Object.entries(STORES)
      .flatMap(([type, names]) => names.map((n) => [type, n] as [string, string]))
      .sort();
    expect(created.length).toBeGreaterThanOrEqual(7);
    expect(created).toEqual(listed);
  });
  it.each([
    ["AWS::DynamoDB::Table", "phiwatch-prod-findings", "findings"],
    ["AWS::SNS::Topic", "phiwatch-alice-dev-alerts", "alerts"],
    ["AWS::SQS::Queue", "phiwatch-prod-access-dlq", "access-dlq"],
    ["AWS::SQS::Queue", "phiwatch-prod-deliveries-dlq.fifo", "deliveries-dlq"],
    ["AWS::SQS::Queue", "phiwatch-prod-dead-letter", "dead-letter"],
  ])("storeOf(%s, %s) is %s", (type, name, what) => {
    expect(storeOf(type, name)).toBe(what);
  });
  it.each([
    ["AWS::DynamoDB::Table", "phiwatch-prod-orders"],
    ["AWS::DynamoDB::Table", "findings"],
    ["AWS::SNS::Topic", "phiwatch-prod-findings"],
    ["AWS::SQS::Queue", "phiwatch-prod-deliveries"],
    ["AWS::SQS::Queue", "phiwatch--access"],
    ["AWS::SQS::Queue", "phiwatch-Prod-access"],
    ["AWS::S3::Bucket", "phiwatch-prod-findings"],
  ])("storeOf(%s, %s) is none", (type, name) => {
    expect(storeOf(type, name)).toBeUndefined();
  });
});
