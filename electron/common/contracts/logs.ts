/** One log line as the window and the CLI show it. */
export interface LogLineView {
  stream: 'stdout' | 'stderr';
  time?: string;
  text: string;
}
