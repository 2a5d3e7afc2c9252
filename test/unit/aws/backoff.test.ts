import { afterEach, describe, expect, it, vi } from "vitest";
import { withBackoff } from "../../../packages/aws/src/sweep/backoff.ts";

const throttled = () =>
  Object.assign(new Error("Rate exceeded"), {
    name: "ThrottlingException",
    $metadata: { httpStatusCode: 400 },
  });

afterEach(() => vi.restoreAllMocks());

describe("withBackoff", () => {
  it("starts no pause that would end past the deadline: the throttling error is thrown instead", async () => {
    let t = 1_000_000;
    vi.spyOn(Date, "now").mockImplementation(() => t);
    let calls = 0;
    const pauses: number[] = [];
    const run = withBackoff(
      async () => {
        calls++;
        throw throttled();
      },
      {
        deadline: t + 1000,
        random: () => 0.999,
        sleep: async (ms) => {
          pauses.push(ms);
          t += ms;
        },
      },
    );
    await expect(run).rejects.toMatchObject({ name: "ThrottlingException" });
    // 199 ms and 399 ms fit before the deadline; the third pause (799 ms) would end after it.
    expect(pauses).toEqual([199, 399]);
    expect(calls).toBe(3);
    expect(t).toBeLessThanOrEqual(1_000_000 + 1000);
  });

  it("retries throttling up to its attempts when no deadline is given", async () => {
    let calls = 0;
    await expect(
      withBackoff(
        async () => {
          calls++;
          throw throttled();
        },
        { sleep: async () => {} },
      ),
    ).rejects.toMatchObject({ name: "ThrottlingException" });
    expect(calls).toBe(6);
  });
});
