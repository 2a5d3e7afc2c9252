import { DefinitionError } from "../errors.ts";
import type { Control, ControlDefinition } from "./types.ts";

const ID = /^[a-z0-9]+(-[a-z0-9]+)+$/;

/**
 * Declare a control. Validates the definition once, at load.
 *
 * @example
 * ```ts
 * export default defineControl({ id: "s3-encryption-cmk", title: "…", resourceTypes: ["AWS::S3::Bucket"], … });
 * ```
 */
export function defineControl<P>(definition: ControlDefinition<P>): Control {
  if (!ID.test(definition.id))
    throw new DefinitionError(`control id "${definition.id}" is not kebab-case <service>-<what>`);
  if (definition.resourceTypes.length === 0)
    throw new DefinitionError(`control ${definition.id}: no resourceTypes`);
  if (definition.hipaa.length === 0) throw new DefinitionError(`control ${definition.id}: no HIPAA citation`);
  for (const cite of definition.hipaa) {
    if (!/^164\.\d{3}(\([a-zA-Z0-9]+\))*$/.test(cite))
      throw new DefinitionError(`control ${definition.id}: bad citation ${cite}`);
  }
  return { ...(definition as ControlDefinition<unknown>), kind: "control" };
}
