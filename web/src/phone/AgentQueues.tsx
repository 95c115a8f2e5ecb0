// The agent's place in the contact centre's queues, under their phone: log
// in to queues, pause with a reason, be ready again, log out; the state and
// how long it has lasted, as the server pushes it. The server's ACD decides
// who gets which call.
import { useEffect, useState } from "react";
import { api } from "../api/endpoints";
import type { AgentStateEvent } from "../api/types";
import { useEvent } from "../lib/events";
import { agentStateText } from "../lib/format";
import { formatDuration } from "./dialing";

export const PAUSE_REASONS = ["Break", "Lunch", "Training", "Meeting", "Admin work"];

/** Seconds since `since` (ms), ticking every second while mounted. */
export function useSecondsSince(since: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  return Math.max(0, Math.floor((now - since) / 1000));
}

export function AgentQueues() {
  const [queues, setQueues] = useState<string[] | null>(null);
  const [chosen, setChosen] = useState<string[]>([]);
  // The server pushes the agent's state on the events socket as it
  // changes (and when the socket opens, so a reload shows it at once).
  const [agent, setAgent] = useState<{ view: AgentStateEvent; at: number } | null>(null);
  const [reason, setReason] = useState(PAUSE_REASONS[0]);
  const [error, setError] = useState<string | null>(null);
  useEvent<AgentStateEvent>("agent.state", (view) => setAgent({ view, at: Date.now() - view.for_s * 1000 }));
  const forS = useSecondsSince(agent?.at ?? Date.now());

  useEffect(() => {
    api.agentQueues().then(
      (q) => {
        setQueues(q.items);
        setChosen(q.items.slice(0, 1));
      },
      () => setQueues([]),
    );
  }, []);

  const inQueues = agent !== null && agent.view.state !== "offline";

  async function act(action: () => Promise<unknown>) {
    try {
      await action();
      setError(null);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  if (!queues || queues.length === 0) return null;

  return (
    <section className="agent-queues" aria-label="Queues" data-testid="agent-queues">
      {inQueues && agent ? (
        <>
          <div className={`agent-state ${agent.view.state}`} data-testid="agent-state">
            {agentStateText(agent.view.state)}
            {agent.view.reason ? ` (${agent.view.reason})` : ""} · {formatDuration(forS)}
          </div>
          <div className="muted">{agent.view.queues.join(", ")}</div>
          <div className="agent-actions">
            {agent.view.state === "paused" || agent.view.state === "wrap_up" ? (
              <button type="button" onClick={() => void act(() => api.agentReady())}>Ready</button>
            ) : (
              <>
                <select aria-label="Pause reason" value={reason} onChange={(e) => setReason(e.target.value)}>
                  {PAUSE_REASONS.map((r) => <option key={r}>{r}</option>)}
                </select>
                <button type="button" onClick={() => void act(() => api.agentPause(reason))}>Pause</button>
              </>
            )}
            <button type="button" onClick={() => void act(() => api.agentLogout())}>Log out</button>
          </div>
        </>
      ) : (
        <>
          <div className="muted">Take calls from</div>
          {queues.map((q) => (
            <label key={q} className="agent-queue">
              <input
                type="checkbox"
                checked={chosen.includes(q)}
                onChange={(e) => setChosen((c) => (e.target.checked ? [...c, q] : c.filter((x) => x !== q)))}
              />
              {q}
            </label>
          ))}
          <button type="button" disabled={chosen.length === 0} onClick={() => void act(() => api.agentLogin(chosen))}>
            Log in to queues
          </button>
        </>
      )}
      {error && <div className="field-error">{error}</div>}
    </section>
  );
}
