// The floor as supervisors watch it: each queue's waiting callers and
// counts, with a chart of its agents by state and of its callers waiting
// over the last minutes, and each agent's state and how long it has lasted.
// The server pushes the figures on the events socket within 200 ms of a
// change.
import { useEffect, useMemo, useState } from "react";
import { api } from "../api/endpoints";
import type { AcdStatus } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { useEvent } from "../lib/events";
import { useReferenceData } from "../lib/ReferenceData";
import { formatDuration } from "../phone/dialing";
import { useSecondsSince } from "../phone/AgentQueues";
import { useMe } from "../auth/AuthContext";
import { canWrite } from "../auth/rights";
import { QueueSettings } from "./QueueSettings";
import { DIAL_EVENT } from "../phone/answerEvent";

const percent = (value: number | null) => (value == null ? "—" : `${Math.round(value)}%`);

/** Agent states in the order the bars stack them, with their colours. */
const STATES: [string, string][] = [
  ["available", "#2e9d5b"],
  ["ringing", "#e0a800"],
  ["on_call", "#2f6fd6"],
  ["wrap_up", "#8a5cd6"],
  ["paused", "#9aa3ad"],
  ["offline", "#d9dde2"],
];

/** Listen, whisper and barge go through the API: on the agent's call
 * already, the supervisor is switched at once; not yet, their softphone
 * dials the feature code (*81, *82, *83 and the extension). During the
 * call the dial pad's 4, 5 and 6 switch too. */
const MONITOR: ["Listen" | "Whisper" | "Barge", "listen" | "whisper" | "barge"][] = [
  ["Listen", "listen"],
  ["Whisper", "whisper"],
  ["Barge", "barge"],
];

/** How much history the waiting chart keeps, in samples of one second. */
const HISTORY = 300;

/** One queue's agents by state, as a stacked bar. */
function AgentsBar({ agents }: { agents: Record<string, number> }) {
  const total = Object.values(agents).reduce((a, b) => a + b, 0);
  if (total === 0) return <span className="muted">no agents</span>;
  let x = 0;
  return (
    <svg width="160" height="14" role="img" aria-label={STATES.filter(([s]) => agents[s]).map(([s]) => `${agents[s]} ${s.replace("_", " ")}`).join(", ")}>
      {STATES.map(([state, colour]) => {
        const width = ((agents[state] ?? 0) / total) * 160;
        const bar = width > 0 ? <rect key={state} x={x} y={0} width={width} height={14} fill={colour}><title>{`${agents[state]} ${state.replace("_", " ")}`}</title></rect> : null;
        x += width;
        return bar;
      })}
    </svg>
  );
}

/** Callers waiting over the last minutes, one point a second. */
function WaitingLine({ samples }: { samples: number[] }) {
  const max = Math.max(1, ...samples);
  const points = samples.map((v, i) => `${(i / (HISTORY - 1)) * 160},${20 - (v / max) * 18}`).join(" ");
  return (
    <svg width="160" height="22" role="img" aria-label={`waiting, last ${HISTORY / 60} minutes: at most ${max}`}>
      <polyline points={points} fill="none" stroke="#2f6fd6" strokeWidth="1.5" />
    </svg>
  );
}

export function QueuesPage() {
  const me = useMe();
  // Supervisors and admins listen in from their own softphone.
  const monitors = me.role === "supervisor" || me.role === "admin";
  const [status, setStatus] = useState<{ view: AcdStatus; at: number } | null>(null);
  const { users } = useReferenceData();
  const [error, setError] = useState<unknown>();
  const [waiting, setWaiting] = useState<Record<string, number[]>>({});
  const age = useSecondsSince(status?.at ?? Date.now());

  useEvent<AcdStatus & { type: "acd.status" }>("acd.status", (view) => {
    setStatus({ view, at: Date.now() });
    setError(undefined);
  });
  // The first figures, and the reason when there are none (SIP is off).
  useEffect(() => {
    let live = true;
    api.acd().then(
      (view) => live && setStatus((s) => s ?? { view, at: Date.now() }),
      (err) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, []);
  // A sample a second of each queue's waiting callers, for the chart.
  useEffect(() => {
    if (!status) return;
    setWaiting((history) => {
      const next: Record<string, number[]> = {};
      for (const q of status.view.queues) {
        const past = history[q.queue] ?? [];
        next[q.queue] = [...past, q.waiting].slice(-HISTORY);
      }
      return next;
    });
  }, [status, age]);

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
              <th>Agents</th>
              <th>Waiting, last 5 min</th>
            </tr>
          </thead>
          <tbody>
            {status?.view.queues.map((q) => (
              <tr key={q.queue} data-queue={q.queue}>
                <td>{q.queue}</td>
                <td className={q.waiting > 0 ? "warn" : ""}>{q.waiting}</td>
                <td>{formatDuration(q.waiting > 0 ? q.longest_wait_s + age : 0)}</td>
                <td>{q.agents.available ?? 0} of {Object.values(q.agents).reduce((a, b) => a + b, 0)}</td>
                <td>{q.answered}</td>
                <td>{q.abandoned}</td>
                <td>{percent(q.service_level_pct)}</td>
                <td>{q.average_answer_s == null ? "—" : formatDuration(Math.round(q.average_answer_s))}</td>
                <td>{percent(q.abandon_rate_pct)}</td>
                <td><AgentsBar agents={q.agents} /></td>
                <td><WaitingLine samples={waiting[q.queue] ?? []} /></td>
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
              {monitors && <th>Listen in</th>}
            </tr>
          </thead>
          <tbody>
            {status?.view.agents.map((a) => (
              <tr key={String(a.agent)} data-extension={a.extension}>
                <td>{nameOf(a.agent)}</td>
                <td>{a.extension}</td>
                <td>
                  <span className={`agent-state ${a.state}`}>
                    {a.state.replace("_", " ")}
                    {a.reason ? ` (${a.reason})` : ""}
                  </span>
                </td>
                <td>{formatDuration(a.for_s + age)}</td>
                <td>{a.queues.join(", ")}</td>
                {monitors && (
                  <td>
                    {a.state === "on_call" &&
                      MONITOR.map(([label, mode]) => (
                        <button
                          key={mode}
                          type="button"
                          onClick={() => {
                            setError(undefined);
                            api
                              .monitorAgent(a.agent, mode)
                              .then((answer) => {
                                if (answer.dial) window.dispatchEvent(new CustomEvent(DIAL_EVENT, { detail: answer.dial }));
                              })
                              .catch(setError);
                          }}
                        >
                          {label}
                        </button>
                      ))}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <QueueSettings canChange={canWrite(me, "telephony")} />
    </section>
  );
}
