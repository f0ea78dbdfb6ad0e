/** The stateful counterexamples a conformance run recorded (annotations of its Playwright JSON report), by project. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COUNTEREXAMPLE_ANNOTATION, type Counterexample } from '../../lib/stateful/run';

interface Annotation { type: string; description?: string }
interface ReportSuite {
  specs?: { tests?: { projectName?: string; annotations?: Annotation[]; results?: { annotations?: Annotation[] }[] }[] }[];
  suites?: ReportSuite[];
}

export function counterexamplesByProject(reportsDir: string): Map<string, Counterexample[]> {
  const report = JSON.parse(readFileSync(join(reportsDir, 'results.json'), 'utf8')) as { suites?: ReportSuite[] };
  const found = new Map<string, Map<string, Counterexample>>();
  const walk = (suite: ReportSuite) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        const annotations = [...(t.annotations ?? []), ...(t.results ?? []).flatMap((r) => r.annotations ?? [])];
        for (const a of annotations) {
          if (a.type !== COUNTEREXAMPLE_ANNOTATION || !a.description) continue;
          const project = t.projectName ?? '';
          // Playwright keeps a runtime annotation in both places: once each.
          if (!found.has(project)) found.set(project, new Map());
          found.get(project)!.set(a.description, JSON.parse(a.description) as Counterexample);
        }
      }
    }
    for (const child of suite.suites ?? []) walk(child);
  };
  for (const suite of report.suites ?? []) walk(suite);
  return new Map([...found].map(([project, byText]) => [project, [...byText.values()]]));
}

/** Every counterexample of a run, whichever project recorded it. */
export const counterexamplesOf = (reportsDir: string): Counterexample[] => [...counterexamplesByProject(reportsDir).values()].flat();
