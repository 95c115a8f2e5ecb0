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
