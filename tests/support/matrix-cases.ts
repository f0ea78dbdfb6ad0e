/** The cases of the project's matrix (tests/matrix/): each fault with every variation on, each variation alone. */
import type { RequirementId } from '../../lib/contract/requirements';
import type { TargetSwitches } from '../../lib/run/run-targets';

export interface MatrixCase {
  kind: 'fault' | 'variation';
  name: string;
  target: TargetSwitches;
  /** The requirements the case is about: those the fault breaks, those the variation touches. */
  requirements: readonly RequirementId[];
}

export const matrixKey = (kind: MatrixCase['kind'], name: string) => `${kind}-${name}`;

export function matrixCases(
  faults: readonly (readonly [string, readonly RequirementId[]])[],
  variations: readonly (readonly [string, readonly RequirementId[]])[],
  allVariations: readonly string[],
): MatrixCase[] {
  return [
    ...faults.map(([name, breaks]): MatrixCase => ({ kind: 'fault', name, requirements: breaks, target: { key: matrixKey('fault', name), faults: [name], variations: [...allVariations], recordOnly: true } })),
    ...variations.map(([name, touches]): MatrixCase => ({ kind: 'variation', name, requirements: touches, target: { key: matrixKey('variation', name), faults: [], variations: [name], recordOnly: true } })),
  ];
}
