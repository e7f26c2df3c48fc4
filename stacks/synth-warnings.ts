/**
 * Warnings constructs attach at synth (cdktf `Annotations.of(x).addWarning`). `cdktf synth`
 * prints them itself; `main.ts` prints them when it runs on its own (tsx, npm start, tests).
 */
import { AnnotationMetadataEntryType } from 'cdktf';
import type { IConstruct } from 'constructs';

/**
 * `<construct path>: <message>` of every warning under `scope`, in tree order, but for messages
 * in `except` (the policy pack's, which main.ts prints in its own report).
 */
export function synthWarnings(scope: IConstruct, except: ReadonlySet<string> = new Set()): string[] {
  return scope.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN && !except.has(String(m.data))).map((m) => `${c.node.path}: ${String(m.data)}`),
    );
}

/** True when the cdktf CLI runs this app: it prints annotations itself. */
export function runByCdktfCli(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS !== undefined;
}
