// Call records, newest first, with their recordings: the supervisor's and
// manager's view of what went through the phones (an agent sees the calls
// of their own extension). Recordings play in the page; the browser asks
// for ranges, so seeking works on long calls.
import { useCallback, useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { api } from "../api/endpoints";
import type { CallRecord } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { formatDateTime, formatDuration, humanise } from "../lib/format";

export function CallsPage() {
  const [items, setItems] = useState<CallRecord[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>();

  const load = useCallback(async (from: string | null) => {
    setLoading(true);
    try {
      const page = await api.calls(from);
      setItems((previous) => (from ? [...previous, ...page.items] : page.items));
      setCursor(page.next_cursor);
      setError(undefined);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load(null);
  }, [load]);

  return (
    <section>
      <div className="page-head">
        <h1>Calls</h1>
        <button type="button" onClick={() => void load(null)}>Refresh</button>
      </div>
      <ErrorBanner error={error} />
      <div className="card">
        <table className="table" data-testid="calls">
          <thead>
            <tr>
              <th>When</th>
              <th>Direction</th>
              <th>Caller</th>
              <th>Called</th>
              <th>Client</th>
              <th>Queue</th>
              <th>Answered by</th>
              <th>Outcome</th>
              <th>Wait</th>
              <th>Talk</th>
              <th>Result</th>
              <th>Recording</th>
            </tr>
          </thead>
          <tbody>
            {items.map((call) => (
              <tr key={String(call.id)} data-call-id={call.call_id}>
                <td>{formatDateTime(call.arrived_at)}</td>
                <td>{humanise(call.direction)}</td>
                <td>{call.caller_name ? `${call.caller_name} (${call.caller})` : call.caller}</td>
                <td>{call.called}</td>
                <td>
                  {call.client ? (
                    <Link to={`/clients/${encodeURIComponent(String(call.client.id))}`}>{call.client.name}</Link>
                  ) : call.direction !== "internal" && call.party_e164 ? (
                    <Link className="muted" to={`/clients/new?phone=${encodeURIComponent(call.party_e164)}`}>Unknown: new client</Link>
                  ) : (
                    ""
                  )}
                </td>
                <td>{call.queue ?? ""}</td>
                <td>{call.agent ? `${call.agent.name} (${call.answered_by ?? ""})` : (call.answered_by ?? "")}</td>
                <td>{humanise(call.outcome)}</td>
                <td>{formatDuration(call.wait_s)}</td>
                <td>{call.talk_s ? formatDuration(call.talk_s) : ""}</td>
                <td title={call.wrap_up?.notes ?? undefined}>{call.wrap_up?.result ?? ""}</td>
                <td>
                  {call.recording ? (
                    <audio
                      controls
                      preload="none"
                      src={`/api/v1/calls/${encodeURIComponent(String(call.id))}/recording`}
                      aria-label={`Recording of the call from ${call.caller}`}
                    />
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="list-foot">
          {loading && <span className="muted">Loading…</span>}
          {!loading && items.length === 0 && <span className="muted">No calls yet.</span>}
          {!loading && cursor && <button type="button" onClick={() => void load(cursor)}>Load more</button>}
        </div>
      </div>
    </section>
  );
}
