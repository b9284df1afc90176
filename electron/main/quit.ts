/**
 * Quitting does what the user chose: leave the stack running, or stop it first. Either way every stream,
 * follow and chat the backend holds is closed before the process exits, and a second Quit while the first
 * is still stopping the stack changes nothing.
 */
export class QuitController {
  private phase: 'running' | 'quitting' | 'done' = 'running';

  constructor(
    private readonly deps: {
      choice: () => Promise<'leave-running' | 'stop-stack'>;
      stopStack: () => Promise<unknown>;
      closeBackend: () => Promise<void>;
      /** Exits for real (Electron's app.exit), after the work is done. */
      exit: () => void;
      log: (message: string) => void;
    },
  ) {}

  get quitting(): boolean {
    return this.phase !== 'running';
  }

  /** Electron's before-quit: holds the quit until the stack is where the user wants it. */
  onBeforeQuit(event: { preventDefault(): void }): void {
    if (this.phase === 'done') return;
    event.preventDefault();
    if (this.phase === 'quitting') return;
    this.phase = 'quitting';
    void this.run();
  }

  private async run(): Promise<void> {
    try {
      if ((await this.deps.choice()) === 'stop-stack') await this.deps.stopStack();
    } catch (error) {
      this.deps.log(`stopping the stack on quit failed: ${(error as Error).message}`);
    }
    await this.deps
      .closeBackend()
      .catch((error: Error) => this.deps.log(`closing the backend failed: ${error.message}`));
    this.phase = 'done';
    this.deps.exit();
  }
}
