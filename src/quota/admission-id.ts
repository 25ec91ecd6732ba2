/**
 * An admission counted in the 5-hour or weekly window carries, in its id, the windows it was counted
 * in and the limiter's reset epoch, so the limiter stores no row per admission: a refund reads what to
 * give back from the id itself. Ids travel only between the relay and its own limiter, never to clients.
 */
export interface CountedAdmission {
  /** The limiter's reset count when it was admitted: an admission from before a reset gives nothing back. */
  epoch: number;
  fiveHourStart: number | null;
  weekStart: number | null;
}

const PREFIX = 'adm1';

const part = (value: number | null): string => (value === null ? '-' : String(value));

const parsePart = (value: string | undefined): number | null | undefined => {
  if (value === '-') return null;
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
};

export const countedAdmissionId = (admission: CountedAdmission): string =>
  [PREFIX, admission.epoch, part(admission.fiveHourStart), part(admission.weekStart), crypto.randomUUID()].join('.');

/** The windows an admission id says it was counted in; undefined for ids of uncounted, refused or unknown admissions. */
export const parseCountedAdmission = (admissionId: string): CountedAdmission | undefined => {
  const [prefix, epoch, fiveHour, week] = admissionId.split('.');
  if (prefix !== PREFIX) return undefined;
  const parsedEpoch = parsePart(epoch);
  const fiveHourStart = parsePart(fiveHour);
  const weekStart = parsePart(week);
  if (parsedEpoch === undefined || parsedEpoch === null || fiveHourStart === undefined || weekStart === undefined) return undefined;
  return { epoch: parsedEpoch, fiveHourStart, weekStart };
};
