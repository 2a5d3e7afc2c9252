import { describe, expect, it } from "vitest";
import { stopProcess } from "../../../packages/cli/src/local/dynamo.ts";

/** A child that ignores SIGTERM and takes `exitMs` to exit after SIGKILL, as a loaded JVM can. */
function slowChild(exitMs: number) {
  const signals: string[] = [];
  let exited = false;
  return {
    signals,
    exited: () => exited,
    kill(signal?: NodeJS.Signals | number) {
      signals.push(String(signal));
      if (signal === "SIGKILL")
        setTimeout(() => {
          exited = true;
        }, exitMs);
      return true;
    },
  };
}

describe("stopProcess (local DynamoDB)", () => {
  it("resolves only once the process has exited, even when it outlives SIGTERM", async () => {
    const child = slowChild(150);
    await stopProcess(child, child.exited, 100);
    expect(child.signals).toEqual(["SIGTERM", "SIGKILL"]);
    expect(child.exited()).toBe(true);
  });

  it("sends nothing to a process that already exited", async () => {
    const child = slowChild(0);
    await stopProcess(child, () => true);
    expect(child.signals).toEqual([]);
  });
});
