import type Docker from 'dockerode';
import type { EngineTrouble } from '../../common/contracts/engine-trouble.js';
import type { HostFacts } from '../../common/contracts/host-facts.js';
import type { StackPlan } from '../../common/contracts/stack-plan.js';
import type { Secrets } from '../../common/contracts/secrets.js';

/** What every check may look at; gathered once by `berth doctor`. */
export interface DoctorContext {
  facts: HostFacts;
  plan: StackPlan | undefined;
  planProblem?: string;
  docker: Docker | undefined;
  engineTrouble: EngineTrouble | undefined;
  secrets: Secrets;
  /** secrets.json as this process finds it (locked: encrypted with the app's keychain, which it cannot read). */
  secretsFile: {
    exists: boolean;
    encrypted: boolean;
    locked: boolean;
    mode?: number;
    linkTo?: string;
    problem?: string;
  };
  env: NodeJS.ProcessEnv;
}

export interface CheckResult {
  status: 'ok' | 'warn' | 'fail';
  message: string;
  fix?: string;
}

/** One diagnosis: adding a check is adding a file to checks/ and a line to index.ts. */
export interface Check {
  id: string;
  title: string;
  applies(context: DoctorContext): boolean;
  run(context: DoctorContext): Promise<CheckResult>;
}
