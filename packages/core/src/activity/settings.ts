import * as z from "zod";

const Cidr = z
  .string()
  .regex(/^(\d{1,3}(\.\d{1,3}){3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/, "a CIDR such as 10.0.0.0/8");

/**
 * Baseline settings of the access detectors (`detectors.access`). Every field has a default, so a
 * baseline may omit the whole section. Documented in docs/detectors.md.
 */
export const AccessDetectorSettingsSchema = z
  .object({
    /** Fold a window into the profile once events this many minutes newer have been seen (late delivery). */
    foldGraceMinutes: z.number().int().min(5).max(1440).default(60),
    /** EWMA weight of a new sample once a slot has 1/alpha samples (before that: the plain mean). */
    ewmaAlpha: z.number().gt(0).max(1).default(0.1),
    /** Profiles and windows untouched this long expire through TTL. */
    profileTtlDays: z.number().int().min(7).max(3650).default(90),
    /** Daily horizon of access-volume-spike (low-and-slow reads spread over a day). */
    daily: z
      .object({ floor: z.number().int().min(1).default(300), ratio: z.number().positive().default(4) })
      .strict()
      .prefault({}),
    offHours: z
      .object({
        /** Reads outside business hours in one window before access-off-hours fires. */
        minReads: z.number().int().min(1).default(1),
        /** A slot (±1 h) with reads in at least this share of its windows is "usual" for the principal. */
        usualShare: z.number().gt(0).max(1).default(0.2),
      })
      .strict()
      .prefault({}),
    bulk: z
      .object({
        /** Distinct objects in one window before access-bulk-enumeration can fire. */
        floor: z.number().int().min(1).default(100),
        ratio: z.number().positive().default(5),
        sigma: z.number().positive().default(4),
        /** List-then-read sweep: a principal that never lists, lists and then reads this many objects. */
        listThenRead: z.number().int().min(1).default(25),
      })
      .strict()
      .prefault({}),
    /** AccessDenied events on one target by one principal in one window (probing). */
    deniedBurst: z.number().int().min(1).default(10),
    /** Accounts whose principals may read PHI cross-account. */
    trustedAccounts: z.array(z.string().regex(/^\d{12}$/, "a 12-digit AWS account id")).default([]),
    /** When set, reads from source addresses outside these networks are unusual (VPC endpoints aside). */
    allowedNetworks: z.array(Cidr).default([]),
    /** When set, reads through other VPC endpoints are unusual. */
    allowedVpcEndpoints: z.array(z.string().regex(/^vpce-[0-9a-f]+$/, "a VPC endpoint id")).default([]),
  })
  .strict();

export type AccessDetectorSettings = z.infer<typeof AccessDetectorSettingsSchema>;
