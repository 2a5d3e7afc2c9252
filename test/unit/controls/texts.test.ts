// The generated table notify words alerts from (packages/core/src/controls/texts.ts) against the
// registry it is generated from: same texts for every control, nothing for any other id.
import { describe, expect, it } from "vitest";
import { CONTROL_TEXTS } from "../../../packages/core/src/controls/texts.ts";
import { CONTROLS, controlText, DETECTORS } from "../../../packages/core/src/index.ts";
import { TEXT_FIELDS } from "../../../scripts/gen-texts.ts";

describe("controlText (generated from the control registry)", () => {
  it.each(CONTROLS.map((c) => [c.id, c] as const))("%s: the table holds the control's own texts", (id, c) => {
    const text = controlText(id);
    expect(text).toBeDefined();
    // Character for character: the alert quotes the rationale, its bytes must not change.
    for (const field of TEXT_FIELDS) expect(text![field], field).toBe(c[field]);
  });

  it("holds the registry's controls and nothing else", () => {
    expect(Object.keys(CONTROL_TEXTS)).toEqual(CONTROLS.map((c) => c.id));
  });

  it("gives nothing for a detector, an unknown id or an Object.prototype key", () => {
    for (const d of DETECTORS) expect(controlText(d.id), d.id).toBeUndefined();
    for (const id of ["s3-encryption-kms", "", "constructor", "toString", "__proto__", "hasOwnProperty"])
      expect(controlText(id), id).toBeUndefined();
  });
});
