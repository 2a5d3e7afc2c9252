// Static scan: which AWS SDK commands can a Lambda entry point send? Follows the import graph from
// `functions/<name>.ts` through relative imports and `@phiwatch/aws` (packages/aws/src), and collects
// every `new XxxCommand(` in the modules reached, naming the client package each command is imported
// from. Named imports from a barrel (`export { a } from "./m"`, `export * from "./m"`) follow only the
// module that defines the name, so importing one store does not pull in every adapter. A module that is
// reached is taken whole (over-approximation at module granularity: a command in a reached module
// counts even if the imported function does not call it). Libraries that call AWS for us are listed in
// LIBRARY_CALLS (Powertools idempotency's DynamoDB persistence layer). `@phiwatch/core` is pure (the
// purity meta-test proves it), so the scan does not enter it.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";

/** Commands sent by libraries on our behalf, by import specifier (from their source, v2). */
export const LIBRARY_CALLS: Record<string, string[]> = {
  "@aws-lambda-powertools/idempotency/dynamodb": [
    "dynamodb:PutItem",
    "dynamodb:GetItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
  ],
};

const WORKSPACE: Record<string, string> = { "@phiwatch/aws": "packages/aws/src/index.ts" };

interface ModuleInfo {
  file: string;
  /** Non-type imports: specifier → imported names (`*` for namespace/default/side effect). */
  imports: Array<{ spec: string; names: string[] | "*" }>;
  /** Re-exports: name → specifier (`*` entries listed in `star`). */
  reexports: Map<string, string>;
  star: string[];
  /** Names this module defines itself. */
  defines: Set<string>;
  /** `client:Command` pairs, from `new XCommand(` and the client package X is imported from. */
  commands: string[];
}

const cache = new Map<string, ModuleInfo>();

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

function parse(file: string): ModuleInfo {
  const hit = cache.get(file);
  if (hit) return hit;
  const text = stripComments(readFileSync(file, "utf8"));
  const info: ModuleInfo = {
    file,
    imports: [],
    reexports: new Map(),
    star: [],
    defines: new Set(),
    commands: [],
  };
  const clientOf = new Map<string, string>();
  for (const m of text.matchAll(/import\s+(type\s+)?([\s\S]*?)\s+from\s+["']([^"']+)["']/g)) {
    if (m[1]) continue;
    const clause = m[2]!;
    const spec = m[3]!;
    const braces = /\{([\s\S]*)\}/.exec(clause);
    const names = braces
      ? braces[1]!
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s && !s.startsWith("type "))
          .map((s) => s.split(/\s+as\s+/)[0]!.trim())
      : [];
    const whole = !braces || /^\s*\w+\s*,/.test(clause) || clause.includes("*");
    if (spec.startsWith("@aws-sdk/client-")) {
      for (const n of names) clientOf.set(n, spec.slice("@aws-sdk/client-".length));
    }
    if (names.length === 0 && !whole) continue; // only types were imported
    info.imports.push({ spec, names: whole ? "*" : names });
  }
  for (const m of text.matchAll(/import\s+["']([^"']+)["']/g)) info.imports.push({ spec: m[1]!, names: "*" });
  for (const m of text.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g))
    info.imports.push({ spec: m[1]!, names: "*" });
  for (const m of text.matchAll(/export\s+(type\s+)?\{([\s\S]*?)\}\s+from\s+["']([^"']+)["']/g)) {
    if (m[1]) continue;
    for (const part of m[2]!.split(",")) {
      const p = part.trim();
      if (!p || p.startsWith("type ")) continue;
      const [orig, alias] = p.split(/\s+as\s+/).map((s) => s.trim());
      info.reexports.set(alias ?? orig!, m[3]!);
    }
  }
  for (const m of text.matchAll(/export\s+\*\s+(as\s+(\w+)\s+)?from\s+["']([^"']+)["']/g)) {
    if (m[2]) info.reexports.set(m[2], m[3]!);
    else info.star.push(m[3]!);
  }
  for (const m of text.matchAll(
    /export\s+(?:default\s+)?(?:async\s+)?(?:function\*?|class|const|let|var)\s+(\w+)/g,
  )) {
    info.defines.add(m[1]!);
  }
  for (const m of text.matchAll(/export\s+\{([^}]*)\}\s*;/g)) {
    for (const part of m[1]!.split(",")) {
      const p = part.trim();
      if (p && !p.startsWith("type ")) info.defines.add((p.split(/\s+as\s+/)[1] ?? p).trim());
    }
  }
  for (const m of text.matchAll(/new\s+(\w+)Command\s*\(/g)) {
    const cls = `${m[1]}Command`;
    const client = clientOf.get(cls);
    if (!client) throw new Error(`${file}: ${cls} is not imported from an @aws-sdk/client-* package`);
    info.commands.push(`${client}:${m[1]}`);
  }
  cache.set(file, info);
  return info;
}

function resolve(from: string, spec: string): string | undefined {
  if (WORKSPACE[spec]) return WORKSPACE[spec];
  if (!spec.startsWith(".")) return undefined;
  const base = normalize(join(dirname(from), spec));
  for (const candidate of [base, `${base}.ts`, join(base, "index.ts")]) {
    if (candidate.endsWith(".ts") && existsSync(candidate)) return relative(process.cwd(), candidate);
  }
  throw new Error(`${from}: cannot resolve ${spec}`);
}

/** The module that defines `name` as exported by `file` (following re-exports), or undefined. */
function definer(file: string, name: string, seen = new Set<string>()): string | undefined {
  if (seen.has(file)) return undefined;
  seen.add(file);
  const info = parse(file);
  if (info.defines.has(name)) return file;
  const re = info.reexports.get(name);
  if (re) {
    const target = resolve(file, re);
    return target ? (definer(target, name, seen) ?? target) : undefined;
  }
  for (const s of info.star) {
    const target = resolve(file, s);
    const found = target ? definer(target, name, seen) : undefined;
    if (found) return found;
  }
  return undefined;
}

/**
 * Every `client:Command` (e.g. `dynamodb:PutItem`) reachable from one entry file.
 *
 * @example
 * sdkCallsOf("functions/access.ts"); // Set { "s3:GetObject", "dynamodb:PutItem", … }
 */
export function sdkCallsOf(entry: string): { calls: Set<string>; modules: string[] } {
  const calls = new Set<string>();
  const visited = new Set<string>();
  const visit = (file: string): void => {
    if (visited.has(file)) return;
    visited.add(file);
    const info = parse(file);
    for (const c of info.commands) calls.add(c);
    for (const imp of info.imports) {
      for (const c of LIBRARY_CALLS[imp.spec] ?? []) calls.add(c);
      const target = resolve(file, imp.spec);
      if (!target) continue;
      if (imp.names === "*") {
        visitWhole(target);
        continue;
      }
      for (const name of imp.names) visit(definer(target, name) ?? target);
    }
  };
  // A namespace import reaches the module and everything it re-exports.
  const visitWhole = (file: string): void => {
    visit(file);
    const info = parse(file);
    for (const s of [...info.star, ...info.reexports.values()]) {
      const t = resolve(file, s);
      if (t && !visited.has(t)) visitWhole(t);
    }
  };
  visit(entry);
  return { calls, modules: [...visited].sort() };
}
