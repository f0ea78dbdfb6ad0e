/** The requirement registry, typed from specs/requirements.yaml so that an unknown ID does not compile. */
import { requirements as catalogue, type Requirement, type RequirementId } from '../../schemas/requirements';

export type { RequirementId, Requirement };

/** Who a requirement binds: the API implementation, or a partner's webhook receiver or API client. */
export type Subject = 'api' | NonNullable<Requirement['subject']>;

export function subjectOf(r: Requirement): Subject {
  return r.subject ?? 'api';
}

/** The part of the catalogue one certification judges: each subject is certified against its own. */
export function catalogueOf(subject: Subject): readonly Requirement[] {
  return catalogue.filter((r) => subjectOf(r) === subject);
}

/**
 * The requirements of an implementation of BillerAPI: what conformance, gate and certify judge
 * (the receiver and client certifications judge `catalogueOf('receiver' | 'client')`).
 */
export const requirements = catalogueOf('api');

const byId = new Map(catalogue.map((r) => [r.id, r]));

export function requirement(id: RequirementId): Requirement {
  return byId.get(id)!;
}

export const PRODUCTION_SAFE_TAG = '@production-safe';

export function requirementTag(id: RequirementId): string {
  return `@${id}`;
}

type TestDetails = { tag: string[]; annotation: { type: string; description: string }[] };

function details(ids: readonly RequirementId[], sendsWrites: boolean): TestDetails {
  const safe = !sendsWrites && ids.every((id) => requirement(id).production_safe);
  return {
    tag: [...ids.map(requirementTag), ...(safe ? [PRODUCTION_SAFE_TAG] : [])],
    annotation: ids.map((id) => ({ type: 'requirement', description: `${id} [${requirement(id).level}] ${requirement(id).statement}` })),
  };
}

/**
 * Test details citing the requirements a test checks: one tag per ID, plus `@production-safe`
 * when every cited requirement is safe to check against production.
 */
export function covers(...ids: [RequirementId, ...RequirementId[]]): TestDetails {
  return details(ids, false);
}

/** As `covers`, for a test that sends a write (POST, DELETE): never run against production. */
export function coversWithWrites(...ids: [RequirementId, ...RequirementId[]]): TestDetails {
  return details(ids, true);
}

/** Requirement IDs named in a text (failure messages name the requirement they break first). */
export function requirementIdsIn(text: string): RequirementId[] {
  const found = text.match(/\b[A-Z]+-\d{3}\b/g) ?? [];
  return [...new Set(found)].filter((id): id is RequirementId => byId.has(id as RequirementId));
}
