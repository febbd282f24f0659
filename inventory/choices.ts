/**
 * What the command line and an inventory may say about which checks a run judges. Kept free of the schema library:
 * the settings read it before anything else loads.
 */

/** How much of the spec a run judges: `full`, every check; `image`, what a lab image can show before it is deployed. */
export const CHECK_PROFILES = ['full', 'image'] as const;
export type CheckProfile = (typeof CHECK_PROFILES)[number];

export function isCheckProfile(text: string): text is CheckProfile {
  return (CHECK_PROFILES as readonly string[]).includes(text);
}

/** A check ID (`host.address`, `hosts.compute1`) or a glob over IDs (`chrony.*`, `*.disabled`). */
export const CHECK_PATTERN = /^[A-Za-z0-9.*?_-]+$/;
export const CHECK_PATTERN_EXPECTED = 'expected a check ID or a glob such as chrony.* (see labspec checks)';
