// A campaign's figures: today's calls by the dialler (dialled, answered by
// a person, taken by an agent, abandoned), the abandon rate today and over
// 30 days against the campaign's limit, what its calls cost, the budget left
// and what its results bring, the occupancy of its agents now and each
// agent's state and day, the leads, and charts of the leads by last outcome
// and by result. Read again every 2 s while it runs.
import { useEffect, useState } from "react";
import { api } from "../api/endpoints";
import type { Campaign, CampaignAgentFigures, CampaignStats } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { agentStateText } from "../lib/format";
import { formatDuration } from "../phone/dialing";
import { abandonRate, barsOf, budgetLeft, formatOccupancy, hourColumns, type HourCount } from "./figures";

const REFRESH_MS = 2000;

/** One figure; `value` is what tests read (data-value), `text` what people do when it differs. */
function Figure({ id, label, value, text }: { id: string; label: string; value: number | string; text?: string }) {
  return (
    <div className="figure" data-testid={id} data-value={value}>
      <dt>{label}</dt>
      <dd>{text ?? value}</dd>
    </div>
  );
}

function BudgetFigure({ left }: { left: string | null }) {
  const budget = budgetLeft(left);
  return (
    <div className={`figure${budget.spent ? " over-limit" : ""}`} data-testid="figure-budget-left" data-value={left ?? ""} data-spent={budget.spent}>
      <dt>Budget left</dt>
      <dd>
        {budget.text}
        {budget.spent && <span className="tag danger">budget spent: no more calls</span>}
      </dd>
    </div>
  );
}

function RateFigure({ id, label, fraction, limitPct }: { id: string; label: string; fraction: number; limitPct: number }) {
  const rate = abandonRate(fraction, limitPct);
  return (
    <div className={`figure${rate.over ? " over-limit" : ""}`} data-testid={id} data-over={rate.over}>
      <dt>{label}</dt>
      <dd>
        {rate.text}
        {rate.over && <span className="tag danger">at or over the limit</span>}
      </dd>
    </div>
  );
}

/** Horizontal bars, one per key, sized against the largest. */
function BarChart({ id, title, counts }: { id: string; title: string; counts: Record<string, number> }) {
  const bars = barsOf(counts);
  return (
    <figure className="bar-chart" data-testid={id}>
      <figcaption>{title}</figcaption>
      {bars.length === 0 ? (
        <p className="muted">None yet.</p>
      ) : (
        <ul>
          {bars.map((b) => (
            <li key={b.key} data-key={b.key} data-count={b.count}>
              <span className="bar-label">{b.label}</span>
              <span className="bar-track" aria-hidden="true">
                <span className="bar" style={{ width: `${b.width}%` }} />
              </span>
              <span className="bar-count">
                {b.count} ({b.share})
              </span>
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}

/** The campaign's agents: their state now and today's campaign calls. */
function CampaignAgents({ agents }: { agents: CampaignAgentFigures[] }) {
  if (agents.length === 0) return <p className="muted" data-testid="campaign-agents">No agents work this campaign.</p>;
  return (
    <table className="table" data-testid="campaign-agents">
      <thead>
        <tr>
          <th>Agent</th>
          <th>State</th>
          <th>Calls today</th>
          <th>Talk time today</th>
        </tr>
      </thead>
      <tbody>
        {agents.map((a) => (
          <tr key={String(a.agent)} data-agent={a.name} data-state={a.state}>
            <td>{a.name}</td>
            <td><span className={`agent-state ${a.state}`}>{agentStateText(a.state)}</span></td>
            <td data-testid="calls-today">{a.calls_today}</td>
            <td data-testid="talk-today">{formatDuration(a.talk_seconds_today)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Today's calls by the hour: dialled, answered by a person, abandoned. */
function HoursChart({ hours }: { hours: HourCount[] }) {
  const columns = hourColumns(hours);
  return (
    <figure className="hours-chart" data-testid="chart-hours">
      <figcaption>
        Today by the hour: <span className="key dialled">dialled</span> <span className="key answered">answered</span>{" "}
        <span className="key abandoned">abandoned</span>
      </figcaption>
      {columns.length === 0 ? (
        <p className="muted">No calls yet today.</p>
      ) : (
        <ol>
          {columns.map((c) => (
            <li key={c.start} data-hour={c.label} data-dialled={c.dialled} data-answered={c.answered} data-abandoned={c.abandoned}
              title={`${c.label}: ${c.dialled} dialled, ${c.answered} answered, ${c.abandoned} abandoned`}>
              <span className="hour-bars" aria-hidden="true">
                <span className="hour-bar dialled" style={{ height: `${c.dialledHeight}%` }} />
                <span className="hour-bar answered" style={{ height: `${c.answeredHeight}%` }} />
                <span className="hour-bar abandoned" style={{ height: `${c.abandonedHeight}%` }} />
              </span>
              <span className="hour-label">{c.label}</span>
            </li>
          ))}
        </ol>
      )}
    </figure>
  );
}

interface Props {
  campaign: Campaign;
  /** Changes when the leads change: the figures are read again. */
  version: number;
}

export function CampaignFigures({ campaign, version }: Props) {
  const [stats, setStats] = useState<CampaignStats | null>(null);
  const [error, setError] = useState<unknown>();
  const running = campaign.state === "running";

  useEffect(() => {
    let live = true;
    const load = () =>
      api.campaignStats(campaign.id).then(
        (s) => {
          if (!live) return;
          setStats(s);
          setError(undefined);
        },
        (err: unknown) => live && setError(err),
      );
    void load();
    const timer = running ? window.setInterval(() => void load(), REFRESH_MS) : undefined;
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [campaign.id, running, version]);

  if (!stats) return <ErrorBanner error={error} />;
  const limit = campaign.settings.abandon_limit_pct;
  return (
    <div data-testid="campaign-figures" data-state={campaign.state}>
      <ErrorBanner error={error} />
      <dl className="figures">
        <Figure id="figure-lines" label="Lines now" value={stats.lines_now} text={`${stats.lines_now} (${stats.ringing_now} ringing, peak ${stats.peak_lines})`} />
        <Figure id="figure-dialled" label="Dialled today" value={stats.dialled_today} />
        <Figure id="figure-answered" label="Answered today" value={stats.answered_today} />
        <Figure id="figure-connected" label="Connected today" value={stats.connected_today} />
        <Figure id="figure-abandoned" label="Abandoned today" value={stats.abandoned_today} />
        <RateFigure id="abandon-rate-today" label="Abandon rate today" fraction={stats.abandon_rate_today} limitPct={limit} />
        <RateFigure id="abandon-rate-30-days" label="Abandon rate, 30 days" fraction={stats.abandon_rate_30_days} limitPct={limit} />
        <Figure id="figure-cost" label="Cost" value={stats.cost} />
        <BudgetFigure left={stats.budget_left} />
        <Figure id="figure-return" label="Return" value={stats.return} />
        <Figure id="figure-occupancy" label="Occupancy now" value={stats.occupancy ?? ""} text={formatOccupancy(stats.occupancy)} />
      </dl>
      <CampaignAgents agents={stats.agents} />
      <p data-testid="campaign-stats">
        {stats.leads} leads: {stats.waiting} waiting, {stats.dialling} being called, {stats.closed} closed; {stats.attempts} calls made{" "}
        <a href={`/api/v1/campaigns/${campaign.id}/export`} download>Export CSV</a>
      </p>
      <HoursChart hours={stats.hours_today} />
      <div className="bar-charts">
        <BarChart id="chart-last-outcomes" title="Leads by last outcome" counts={stats.last_outcomes} />
        <BarChart id="chart-results" title="Leads by result" counts={stats.results} />
      </div>
    </div>
  );
}
