/** One of `berth doctor`'s checks, as the app shows it too. */
export interface DoctorOutcome {
  id: string;
  title: string;
  status: 'ok' | 'warn' | 'fail';
  message: string;
  fix?: string;
}
