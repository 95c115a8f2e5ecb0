import { useEffect, useRef, useState } from "react";
import { api } from "../api/endpoints";
import type { ContactPerson, Id, Interaction } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { formatDateTime, formatDuration, humanise } from "../lib/format";
import { InteractionForm } from "./InteractionForm";

const CHANNEL_ICON: Record<string, string> = { call: "☎", email: "@", letter: "✉", meeting: "◎", chat: "…", sms: "✆" };

interface Props {
  clientId: Id;
  persons: ContactPerson[];
  canWrite: boolean;
}

/** The client's interactions, newest first, with "Load more" and the add form. */
export function InteractionTimeline({ clientId, persons, canWrite }: Props) {
  const [items, setItems] = useState<Interaction[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [adding, setAdding] = useState(false);
  const run = useRef(0);

  function load(after: string | null) {
    const mine = ++run.current;
    setLoading(true);
    api
      .interactions(clientId, after)
      .then((page) => {
        if (run.current !== mine) return;
        setItems((prev) => (after ? [...prev, ...page.items] : page.items));
        setCursor(page.next_cursor ?? null);
        setError(null);
      })
      .catch((err) => run.current === mine && setError(err))
      .finally(() => run.current === mine && setLoading(false));
  }

  useEffect(() => {
    load(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [clientId]);

  const personName = (id: Id | null) => persons.find((p) => String(p.id) === String(id))?.name;

  return (
    <section className="card" aria-labelledby="timeline-title" data-testid="interaction-timeline">
      <div className="section-head">
        <h2 id="timeline-title">Interactions</h2>
        {canWrite && !adding && <button type="button" onClick={() => setAdding(true)}>Add interaction</button>}
      </div>
      {adding && (
        <InteractionForm clientId={clientId} persons={persons} onCancel={() => setAdding(false)}
          onAdded={() => {
            setAdding(false);
            load(null);
          }} />
      )}
      <ErrorBanner error={error} />
      {!loading && items.length === 0 && <p className="muted">No interactions yet.</p>}
      <ol className="timeline">
        {items.map((it) => (
          <li key={String(it.id)} className={`timeline-item priority-${it.priority}`} data-testid="interaction">
            <div className="timeline-icon" aria-hidden="true">{CHANNEL_ICON[it.channel] ?? "•"}</div>
            <div className="timeline-body">
              <div className="timeline-head">
                <strong>{humanise(it.channel)} {it.direction === "in" ? "in" : "out"}</strong>
                <span className="tag">{humanise(it.type)}</span>
                <span className={`tag status-${it.status}`}>{humanise(it.status)}</span>
                <span className="tag">{humanise(it.state)}</span>
                {it.priority === "high" && <span className="tag danger">High priority</span>}
                <time className="muted small" dateTime={it.started_at}>{formatDateTime(it.started_at)}</time>
              </div>
              <div className="small muted">
                {[it.duration_s !== null && it.duration_s !== undefined ? formatDuration(it.duration_s) : null,
                  it.responsible_name, personName(it.contact_person_id), it.advertising_source]
                  .filter(Boolean).join(" · ")}
              </div>
              {it.call && (
                <div className="small" data-testid="interaction-call">
                  {[
                    it.call.queue && `queue ${it.call.queue}`,
                    `dialled ${it.call.called}`,
                    it.call.answered_by ? `answered by ${it.call.answered_by}` : humanise(it.call.outcome),
                    `waited ${formatDuration(it.call.wait_s)}`,
                    it.call.talk_s > 0 && `talked ${formatDuration(it.call.talk_s)}`,
                    it.call.hangup_by && `${it.call.hangup_by} hung up`,
                  ]
                    .filter(Boolean)
                    .join(" · ")}
                  {it.call.recorded && (
                    <audio controls preload="none" src={`/api/v1/calls/${encodeURIComponent(String(it.call.id))}/recording`} />
                  )}
                </div>
              )}
              {it.result && <p className="timeline-result"><span className="muted">Result:</span> {it.result}</p>}
              {it.notes && <p className="pre">{it.notes}</p>}
            </div>
          </li>
        ))}
      </ol>
      <div className="list-foot">
        {loading && <span className="muted">Loading…</span>}
        {!loading && cursor && <button type="button" onClick={() => load(cursor)}>Load more</button>}
      </div>
    </section>
  );
}
