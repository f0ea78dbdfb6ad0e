/**
 * Named, legitimate alternatives to the reference's own choices (`REFERENCE_VARIATIONS=a,b`,
 * or `all`): behaviours an implementation may choose because the contract leaves them open.
 * Each cites the spec clause or assumption that allows it. `npm test` proves the suite stays
 * green under each, alone and all together, and that every fault is still caught with all of
 * them on: the other half of the proof that faults give (reference/faults.ts).
 */
import type { RequirementId } from '../schemas/requirements';

export type VariationFamily = 'catalogue' | 'paging' | 'errors' | 'headers' | 'connect' | 'webhooks' | 'time';

export interface VariationInfo {
  family: VariationFamily;
  /** The spec clause or assumption that allows it (A-NNN, or a path in specs/billerapi.openapi.yaml). */
  allowedBy: string;
  /** The requirements whose tests meet it: the variation alone is proven green on these. */
  touches: readonly RequirementId[];
  description: string;
}

export const variations = {
} as const satisfies Record<string, VariationInfo>;

export type VariationName = keyof typeof variations;

export const variationNames = Object.keys(variations) as VariationName[];

/** Parses a comma-separated list (`all` for every one); throws one line naming the valid ones on an unknown name. */
export function parseVariations(list: string | undefined): VariationName[] {
  const names = (list ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (names.includes('all')) return [...variationNames];
  const unknown = names.filter((n) => !(n in variations));
  if (unknown.length > 0) {
    throw new Error(`Unknown variation(s): ${unknown.join(', ')}. Valid variations: all, ${variationNames.join(', ')}.`);
  }
  return names as VariationName[];
}

export type Variations = ReadonlySet<VariationName>;
