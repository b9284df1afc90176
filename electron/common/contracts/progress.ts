/** What the engine reports while it converges or tears down; the CLI prints it and the app shows it. */
export type ProgressEvent =
  | { kind: 'step'; message: string }
  | { kind: 'warning'; message: string }
  | { kind: 'pulling'; service: string; image: string; percent: number }
  | { kind: 'building'; service: string; image: string; message: string }
  | { kind: 'downloading'; service: string; model: string; bytesDone: number; bytesTotal: number }
  | { kind: 'unchanged'; service: string }
  /** A model on demand left asleep: its container is ready and stopped, and its first request starts it. */
  | { kind: 'asleep'; service: string }
  | { kind: 'creating'; service: string; recreate: boolean }
  | { kind: 'starting'; service: string }
  | { kind: 'waiting'; service: string; elapsedS: number; on: string }
  | { kind: 'healthy'; service: string; elapsedS: number }
  /** What a model server reported as it started, beside its plan; `overPlan` when it went past it by more than 10%. */
  | { kind: 'measured'; service: string; overPlan: boolean; message: string }
  | { kind: 'failed'; service: string; message: string; fix: string }
  | { kind: 'skipped'; service: string; because: string }
  | { kind: 'stopping'; service: string }
  | { kind: 'removed'; service: string };

export type ProgressListener = (event: ProgressEvent) => void;
