import type { TemporaryCredentials } from "./assume.ts";

/**
 * Clients per region built by `make`, created on first use and kept (per container), signed with the
 * function's own credentials or with `credentials` (a member account's read role).
 */
export function perRegion<T>(
  credentials: (() => Promise<TemporaryCredentials>) | undefined,
  make: (cfg: { region: string; credentials?: () => Promise<TemporaryCredentials> }) => T,
): (region: string) => T {
  const cache = new Map<string, T>();
  return (region) => {
    let c = cache.get(region);
    if (c === undefined) {
      c = make({ region, ...(credentials ? { credentials } : {}) });
      cache.set(region, c);
    }
    return c;
  };
}
