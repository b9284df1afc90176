import { describe, expect, it } from 'vitest';
import { QuitController } from './quit.js';

function quitter(choice: 'leave-running' | 'stop-stack', stop: () => Promise<unknown> = async () => undefined) {
  const steps: string[] = [];
  let exited!: () => void;
  const done = new Promise<void>((resolve) => (exited = resolve));
  const control = new QuitController({
    choice: async () => choice,
    stopStack: async () => (steps.push('stop'), stop()),
    closeBackend: async () => void steps.push('close'),
    exit: () => (steps.push('exit'), exited()),
    log: (m) => steps.push(`log: ${m}`),
  });
  return { control, steps, done };
}

const event = () => {
  const e = { prevented: false, preventDefault: () => (e.prevented = true) };
  return e;
};

describe('quitting Berth', () => {
  it('leaves the stack running by default, and closes every stream before exiting', async () => {
    const { control, steps, done } = quitter('leave-running');
    const first = event();
    control.onBeforeQuit(first);
    expect(first.prevented).toBe(true);
    await done;
    expect(steps).toEqual(['close', 'exit']);
  });

  it('stops the stack first when the user chose so; a second Quit meanwhile changes nothing', async () => {
    let finishStop!: () => void;
    const { control, steps, done } = quitter('stop-stack', () => new Promise<void>((r) => (finishStop = r)));
    control.onBeforeQuit(event());
    await new Promise((r) => setImmediate(r));
    control.onBeforeQuit(event());
    expect(steps).toEqual(['stop']);
    finishStop();
    await done;
    expect(steps).toEqual(['stop', 'close', 'exit']);
    const after = event();
    control.onBeforeQuit(after);
    expect(after.prevented).toBe(false);
  });

  it('still exits, and says why in the log, when stopping fails', async () => {
    const { control, steps, done } = quitter('stop-stack', async () => {
      throw new Error('Docker went away');
    });
    control.onBeforeQuit(event());
    await done;
    expect(steps).toEqual(['stop', 'log: stopping the stack on quit failed: Docker went away', 'close', 'exit']);
  });
});
