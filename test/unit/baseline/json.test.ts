// The functions read the baseline's JSON rendition (no YAML parser in the bundles): it must mean
// exactly what the YAML means, and a bad file must still say which field is wrong.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  baselineJson,
  MAX_BASELINE_BYTES,
  parseBaseline,
  parseBaselineJson,
} from "../../../packages/core/src/baseline/index.ts";
import { BaselineError } from "../../../packages/core/src/errors.ts";

const files = ["examples/baseline.yaml", "test/infra/baseline.yaml"];

describe("baseline JSON rendition", () => {
  it.each(files)("%s: the JSON rendition parses to the same baseline as the YAML", (file) => {
    const yaml = readFileSync(file, "utf8");
    const json = baselineJson(yaml, file);
    expect(parseBaselineJson(json, "baseline.json")).toEqual(parseBaseline(yaml, file));
    // The data as written (defaults are applied when the functions parse it), one line of JSON.
    expect(json.endsWith("}\n")).toBe(true);
    expect(json.trim().includes("\n")).toBe(false);
  });

  it("refuses to render an invalid YAML baseline, naming file, line and field", () => {
    const yaml = readFileSync("examples/baseline.yaml", "utf8").replace(
      /retentionDays: \d+/,
      "retentionDays: -5",
    );
    expect(yaml).toContain("retentionDays: -5");
    const error = (() => {
      try {
        baselineJson(yaml, "prod.yaml");
      } catch (e) {
        return e as BaselineError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(BaselineError);
    expect(error!.issues).toEqual([
      expect.objectContaining({ file: "prod.yaml", field: "retentionDays", line: expect.any(Number) }),
    ]);
  });

  it("says what is wrong with a bad JSON rendition: not JSON, a field, too large", () => {
    expect(() => parseBaselineJson("name: x", "/var/task/baseline.json")).toThrow(
      /^\/var\/task\/baseline\.json: not JSON/,
    );
    const data = JSON.parse(baselineJson(readFileSync("examples/baseline.yaml", "utf8"), "b.yaml"));
    data.accounts = ["not-an-account"];
    expect(() => parseBaselineJson(JSON.stringify(data), "baseline.json")).toThrow(
      /^baseline\.json: accounts\.0: /,
    );
    expect(() => parseBaselineJson(" ".repeat(MAX_BASELINE_BYTES + 1), "baseline.json")).toThrow(
      /larger than/,
    );
  });
});

describe("baseline severityOverrides", () => {
  const withOverrides = (lines: string) =>
    readFileSync("examples/baseline.yaml", "utf8").replace(
      /^suppressions: \[\]/m,
      `severityOverrides:\n${lines}\nsuppressions: []`,
    );

  it("applies an override of a control or a detector", () => {
    const b = parseBaseline(
      withOverrides("  s3-encryption-cmk: low\n  access-off-hours: critical"),
      "b.yaml",
    );
    expect(b.severityOverrides).toEqual({ "s3-encryption-cmk": "low", "access-off-hours": "critical" });
  });

  it("refuses an override of an id that is no control or detector (a typo would be ignored silently)", () => {
    const yaml = withOverrides("  s3-encryption-cmk: low\n  s3-encrypton-cmk: critical");
    const line = yaml.split("\n").findIndex((l) => l.includes("s3-encrypton-cmk")) + 1;
    let error: unknown;
    try {
      parseBaseline(yaml, "b.yaml");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BaselineError);
    expect((error as BaselineError).issues).toEqual([
      {
        file: "b.yaml",
        line,
        field: "severityOverrides.s3-encrypton-cmk",
        message: "not a control or detector id",
      },
    ]);
  });
});
