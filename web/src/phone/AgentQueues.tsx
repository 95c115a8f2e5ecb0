// The agent's place in the contact centre's queues, under their phone: log
// in to queues, pause with a reason, be ready again, log out; the state and
// how long it has lasted. The server's ACD decides who gets which call.
import { useCallback, useEffect, useState } from "react";
import { api } from "../api/endpoints";
import type { AgentView } from "../api/types";
import { ApiError } from "../api/http";
import { formatDuration } from "./dialing";

const STATE_LABEL: Record<string, string> = {
  available: "Available",
  ringing: "Ringing",
  on_call: "On a call",
  wrap_up: "Wrap-up",
  paused: "Paused",
  offline: "Logged out",
};

export const PAUSE_REASONS = ["Break", "Lunch", "Training", "Meeting", "Admin work"];

/** How often the state is read: the ACD changes it as calls come and go. */
const POLL_MS = 1000;

export function AgentQueues() {
  const [queues, setQueues] = useState<string[] | null>(null);
  const [chosen, setChosen] = useState<string[]>([]);
  const [agent, setAgent] = useState<AgentView | null>(null);
  const [reason, setReason] = useState(PAUSE_REASONS[0]);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      setAgent(await api.agent());
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) setAgent(null);
    }
  }, []);

  useEffect(() => {
    api.agentQueues().then(
      (q) => {
        setQueues(q.items);
        setChosen(q.items.slice(0, 1));
      },
      () => setQueues([]),
    );
    void refresh();
  }, [refresh]);

  const inQueues = agent !== null && agent.state !== "offline";
  useEffect(() => {
    if (!inQueues) return;
    const timer = window.setInterval(() => void refresh(), POLL_MS);
    return () => window.clearInterval(timer);
  }, [inQueues, refresh]);

  async function act(action: () => Promise<unknown>) {
    try {
      await action();
      setError(null);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
    await refresh();
  }

  if (!queues || queues.length === 0) return null;

  return (
    <section className="agent-queues" aria-label="Queues" data-testid="agent-queues">
      {inQueues && agent ? (
        <>
          <div className={`agent-state ${agent.state}`} data-testid="agent-state">
            {STATE_LABEL[agent.state] ?? agent.state}
            {agent.reason ? ` (${agent.reason})` : ""} · {formatDuration(agent.for_s)}
          </div>
          <div className="muted">{agent.queues.join(", ")}</div>
          <div className="agent-actions">
            {agent.state === "paused" || agent.state === "wrap_up" ? (
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
