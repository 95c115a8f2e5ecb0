// Reports by interval for supervisors and managers: each queue's calls,
// answers, abandons, service level and waits, and each agent's answered
// calls and talk time, per 15 minutes, hour or day, counted from the stored
// call records. A chart shows answered and abandoned calls per interval.
import { useEffect, useState } from "react";
import { api } from "../api/endpoints";
import type { AgentReportRow, QueueReportRow, Report } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { formatDuration } from "../phone/dialing";

type Interval = "15m" | "hour" | "day";

/** How long a report spans for each interval: a day of quarters or hours,
 * a month of days. */
const SPAN_DAYS: Record<Interval, number> = { "15m": 1, hour: 1, day: 31 };

const percent = (value: number | null) => (value == null ? "—" : `${Math.round(value)}%`);
const seconds = (value: number | null) => (value == null ? "—" : formatDuration(Math.round(value)));

function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

function label(start: string, interval: Interval): string {
  return interval === "day" ? start.slice(0, 10) : start.slice(11, 16);
}

/** Answered (blue) and abandoned (grey) calls per interval, summed over queues. */
function CallsChart({ rows, interval }: { rows: QueueReportRow[]; interval: Interval }) {
  const byStart = new Map<string, { answered: number; abandoned: number }>();
  for (const r of rows) {
    const sums = byStart.get(r.start) ?? { answered: 0, abandoned: 0 };
    sums.answered += r.answered;
    sums.abandoned += r.abandoned;
    byStart.set(r.start, sums);
  }
  const bars = [...byStart.entries()];
  if (bars.length === 0) return null;
  const max = Math.max(...bars.map(([, s]) => s.answered + s.abandoned));
  const width = Math.max(320, bars.length * 22);
  return (
    <svg width={width} height={140} role="img" aria-label="Calls per interval: answered and abandoned" data-testid="calls-chart">
      {bars.map(([start, s], i) => {
        const answered = (s.answered / max) * 110;
        const abandoned = (s.abandoned / max) * 110;
        return (
          <g key={start} transform={`translate(${i * 22 + 4},0)`}>
            <title>{`${label(start, interval)}: ${s.answered} answered, ${s.abandoned} abandoned`}</title>
            <rect y={120 - answered} width={16} height={answered} fill="#2f6fd6" />
            <rect y={120 - answered - abandoned} width={16} height={abandoned} fill="#9aa3ad" />
            {i % Math.ceil(bars.length / 12) === 0 && (
              <text y={134} fontSize="9" fill="#555">{label(start, interval)}</text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

export function ReportsPage() {
  const [day, setDay] = useState(todayUtc);
  const [interval, setStep] = useState<Interval>("hour");
  const [queues, setQueues] = useState<Report<QueueReportRow> | null>(null);
  const [agents, setAgents] = useState<Report<AgentReportRow> | null>(null);
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    let live = true;
    const from = new Date(`${day}T00:00:00Z`);
    const to = new Date(from.getTime() + SPAN_DAYS[interval] * 86_400_000);
    const query = { from: from.toISOString(), to: to.toISOString(), interval };
    Promise.all([api.queueReport(query), api.agentReport(query)]).then(
      ([q, a]) => {
        if (!live) return;
        setQueues(q);
        setAgents(a);
        setError(undefined);
      },
      (err) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [day, interval]);

  return (
    <section>
      <div className="page-head">
        <h1>Reports</h1>
      </div>
      <div className="card filters">
        <label>
          From (UTC day) <input type="date" value={day} onChange={(e) => e.target.value && setDay(e.target.value)} />
        </label>
        <label>
          Interval{" "}
          <select aria-label="Interval" value={interval} onChange={(e) => setStep(e.target.value as Interval)}>
            <option value="15m">15 minutes</option>
            <option value="hour">Hour</option>
            <option value="day">Day (31 days)</option>
          </select>
        </label>
      </div>
      <ErrorBanner error={error} />
      <div className="card">
        <h2>Queues</h2>
        {queues && <CallsChart rows={queues.rows} interval={interval} />}
        <table className="table" data-testid="queue-report">
          <thead>
            <tr>
              <th>From</th>
              <th>Queue</th>
              <th>Calls</th>
              <th>Answered</th>
              <th>Abandoned</th>
              <th>Service level</th>
              <th>Avg. answer</th>
              <th>Longest wait</th>
              <th>Avg. talk</th>
            </tr>
          </thead>
          <tbody>
            {queues?.rows.map((r) => (
              <tr key={`${r.start} ${r.queue}`} data-queue={r.queue}>
                <td>{label(r.start, interval)}</td>
                <td>{r.queue}</td>
                <td>{r.calls}</td>
                <td>{r.answered}</td>
                <td>{r.abandoned}</td>
                <td>{percent(r.service_level_pct)}</td>
                <td>{seconds(r.average_answer_s)}</td>
                <td>{formatDuration(r.max_wait_s)}</td>
                <td>{seconds(r.average_talk_s)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {queues && queues.rows.length === 0 && <p className="muted">No queue calls in this span.</p>}
      </div>
      <div className="card">
        <h2>Agents</h2>
        <table className="table" data-testid="agent-report">
          <thead>
            <tr>
              <th>From</th>
              <th>Agent</th>
              <th>Answered</th>
              <th>Talk</th>
              <th>Avg. talk</th>
              <th>Written up</th>
            </tr>
          </thead>
          <tbody>
            {agents?.rows.map((r) => (
              <tr key={`${r.start} ${String(r.agent_id)}`}>
                <td>{label(r.start, interval)}</td>
                <td>{r.agent_name}</td>
                <td>{r.answered}</td>
                <td>{formatDuration(r.talk_s)}</td>
                <td>{seconds(r.average_talk_s)}</td>
                <td>{r.wrapped_up}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {agents && agents.rows.length === 0 && <p className="muted">No answered calls in this span.</p>}
      </div>
    </section>
  );
}
