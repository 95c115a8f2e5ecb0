// What the campaign's figures show, worked out apart from the page: rates
// as percentages, whether the abandon rate is at its limit, the budget left,
// the occupancy, and the bars of a chart of counts.

/** 0.025 -> "2.5%", 0.03 -> "3%", 0 -> "0%" (one decimal at most). */
export function formatRate(fraction: number): string {
  if (!Number.isFinite(fraction) || fraction <= 0) return "0%";
  const pct = Math.round(fraction * 1000) / 10;
  return `${pct}%`;
}

export interface AbandonRate {
  /** "2.5% (limit 3%)". */
  text: string;
  /** The rate is at or over the campaign's limit: the dialler slows down. */
  over: boolean;
}

/**
 * A rate (fraction) against the campaign's limit (percent). Nothing
 * abandoned is never "over", even with a limit of 0%.
 */
export function abandonRate(fraction: number, limitPct: number): AbandonRate {
  const rate = Number.isFinite(fraction) ? Math.max(0, fraction) : 0;
  // Compared as the page shows them, so 3% against a 3% limit is "at".
  const shownPct = Math.round(rate * 1000) / 10;
  const over = rate > 0 && shownPct >= limitPct;
  return { text: `${formatRate(rate)} (limit ${limitPct}%)`, over };
}

export interface BudgetLeft {
  /** "49.97", or "no limit" without a budget. */
  text: string;
  /** Nothing is left: the dialler places no more calls. */
  spent: boolean;
}

/** The budget left as the stats give it (decimal text, never below 0; null: no budget). */
export function budgetLeft(left: string | null): BudgetLeft {
  if (left === null) return { text: "no limit", spent: false };
  // Money stays text; a number here only answers "anything left?".
  return { text: left, spent: Number(left) <= 0 };
}

/** Occupancy (0..1) as a percentage; "—" when none of the agents is working. */
export function formatOccupancy(fraction: number | null): string {
  return fraction === null ? "—" : formatRate(fraction);
}

export interface Bar {
  key: string;
  /** "no answer" for `no_answer`. */
  label: string;
  count: number;
  /** Width against the largest bar, 0..100. */
  width: number;
  /** Share of the whole, as text: "25%". */
  share: string;
}

/** The bars of a chart of counts by key, largest first (ties by name). */
export function barsOf(counts: Record<string, number>): Bar[] {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  const max = entries.reduce((m, [, n]) => Math.max(m, n), 0);
  return entries
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([key, count]) => ({
      key,
      label: key.replace(/_/g, " "),
      count,
      width: max > 0 ? Math.round((count / max) * 100) : 0,
      share: formatRate(total > 0 ? count / total : 0),
    }));
}

/** The dialler's calls of one hour, as the stats give them. */
export interface HourCount {
  start: string;
  dialled: number;
  answered: number;
  abandoned: number;
}

export interface HourColumn extends HourCount {
  /** The hour as the viewer's clock reads it: "09:00". */
  label: string;
  /** Heights against the busiest hour, 0..100. */
  dialledHeight: number;
  answeredHeight: number;
  abandonedHeight: number;
}

const HOUR_MS = 3_600_000;

/**
 * One column per hour from the first hour with calls to the last, the
 * quiet hours between them included (at 0), heights against the busiest.
 * `label` names an hour from its start (the viewer's time zone by default).
 */
export function hourColumns(hours: HourCount[], label: (start: Date) => string = localHour): HourColumn[] {
  if (hours.length === 0) return [];
  const byStart = new Map(hours.map((h) => [Date.parse(h.start), h]));
  const starts = [...byStart.keys()].sort((a, b) => a - b);
  const max = Math.max(...hours.map((h) => h.dialled), 1);
  const height = (n: number) => Math.round((n / max) * 100);
  const columns: HourColumn[] = [];
  for (let at = starts[0]; at <= starts[starts.length - 1]; at += HOUR_MS) {
    const h = byStart.get(at) ?? { start: new Date(at).toISOString(), dialled: 0, answered: 0, abandoned: 0 };
    columns.push({
      ...h,
      label: label(new Date(at)),
      dialledHeight: height(h.dialled),
      answeredHeight: height(h.answered),
      abandonedHeight: height(h.abandoned),
    });
  }
  return columns;
}

function localHour(start: Date): string {
  return `${String(start.getHours()).padStart(2, "0")}:00`;
}
