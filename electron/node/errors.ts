/** A failure that is not the user's input (Docker refused, a file could not be written): the CLI exits 1 with it. */
export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandError';
  }
}
