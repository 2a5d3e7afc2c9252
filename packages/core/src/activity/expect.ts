import { type AccessProfile, dayStats, slotStats } from "./profile.ts";

export interface VolumeSettings {
  floor: number;
  sigma: number;
  ratio: number;
}

/**
 * Reads per window above which a window is a spike for this slot: the highest of the floor,
 * mean + sigma·sd and ratio·mean, taken over the slot and its neighbours (±1 h), so a job that
 * moves by an hour at a daylight-saving change or starts a little late is still "usual".
 *
 * @example
 * ```ts
 * volumeThreshold(profile, 50, { floor: 50, sigma: 4, ratio: 5 }); // → 50 for a principal quiet on Tue 02h
 * ```
 */
export function volumeThreshold(
  profile: AccessProfile | undefined,
  slot: number,
  v: VolumeSettings,
): { threshold: number; mean: number; sd: number } {
  let threshold = v.floor;
  for (const s of [slot - 1, slot, slot + 1]) {
    const st = slotStats(profile, s);
    threshold = Math.max(threshold, st.mean + v.sigma * st.sd, v.ratio * st.mean);
  }
  const own = slotStats(profile, slot);
  return { threshold, mean: own.mean, sd: own.sd };
}

/** Same for a whole local day (reads per day of this day-of-week). */
export function dailyThreshold(
  profile: AccessProfile | undefined,
  dow: number,
  v: { floor: number; sigma: number; ratio: number },
): { threshold: number; mean: number; sd: number } {
  const st = dayStats(profile, dow);
  return {
    threshold: Math.max(v.floor, st.mean + v.sigma * st.sd, v.ratio * st.mean),
    mean: st.mean,
    sd: st.sd,
  };
}

/**
 * True when the principal usually reads in this slot (±1 h): at least `usualShare` of the slot's
 * windows had reads. Profiles written before `active` existed fall back to the mean.
 */
export function usualSlot(profile: AccessProfile | undefined, slot: number, usualShare: number): boolean {
  if (!profile) return false;
  return [slot - 1, slot, slot + 1].some((s) => {
    const i = ((s % 168) + 168) % 168;
    return profile.active ? (profile.active[i] ?? 0) >= usualShare : slotStats(profile, s).mean >= usualShare;
  });
}
