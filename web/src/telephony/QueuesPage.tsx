// The floor as supervisors watch it: each queue's waiting callers and
// counts, and each agent's state and how long it has lasted, read from the
// server's ACD every second.
import { useEffect, useMemo, useState } from "react";
import { api } from "../api/endpoints";
import type { AcdStatus } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { useReferenceData } from "../lib/ReferenceData";
import { formatDuration } from "../phone/dialing";

const POLL_MS = 1000;

const percent = (value: number | null) => (value == null ? "—" : `${Math.round(value)}%`);

export function QueuesPage() {
  const [status, setStatus] = useState<AcdStatus | null>(null);
  const { users } = useReferenceData();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    let live = true;
    const load = () =>
      api.acd().then(
        (s) => live && (setStatus(s), setError(undefined)),
        (err) => live && setError(err),
      );
    void load();
    const timer = window.setInterval(() => void load(), POLL_MS);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, []);

  const nameOf = useMemo(() => {
    const names = new Map((users ?? []).map((u) => [String(u.id), u.display_name]));
    return (id: unknown) => names.get(String(id)) ?? `user ${String(id)}`;
  }, [users]);

  return (
    <section>
      <div className="page-head">
        <h1>Queues</h1>
      </div>
      <ErrorBanner error={error} />
      <div className="card">
        <table className="table" data-testid="queues">
          <thead>
            <tr>
              <th>Queue</th>
              <th>Waiting</th>
              <th>Longest wait</th>
              <th>Agents free</th>
              <th>Answered</th>
              <th>Abandoned</th>
              <th>Service level</th>
              <th>Avg. answer</th>
              <th>Abandon rate</th>
            </tr>
          </thead>
          <tbody>
            {status?.queues.map((q) => (
              <tr key={q.queue} data-queue={q.queue}>
                <td>{q.queue}</td>
                <td className={q.waiting > 0 ? "warn" : ""}>{q.waiting}</td>
                <td>{formatDuration(q.longest_wait_s)}</td>
                <td>{q.agents.available ?? 0} of {Object.values(q.agents).reduce((a, b) => a + b, 0)}</td>
                <td>{q.answered}</td>
                <td>{q.abandoned}</td>
                <td>{percent(q.service_level_pct)}</td>
                <td>{q.average_answer_s == null ? "—" : formatDuration(Math.round(q.average_answer_s))}</td>
                <td>{percent(q.abandon_rate_pct)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="card">
        <table className="table" data-testid="agents">
          <thead>
            <tr>
              <th>Agent</th>
              <th>Extension</th>
              <th>State</th>
              <th>For</th>
              <th>Queues</th>
            </tr>
          </thead>
          <tbody>
            {status?.agents.map((a) => (
              <tr key={String(a.agent)} data-extension={a.extension}>
                <td>{nameOf(a.agent)}</td>
                <td>{a.extension}</td>
                <td>
                  <span className={`agent-state ${a.state}`}>
                    {a.state.replace("_", " ")}
                    {a.reason ? ` (${a.reason})` : ""}
                  </span>
                </td>
                <td>{formatDuration(a.for_s)}</td>
                <td>{a.queues.join(", ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
