// The screen pop: when the ACD offers a call to this agent, the caller's
// client card opens over the page before the phone rings (pushed on the
// events socket, /api/v1/events). An unknown number offers a new client
// with it. Answering from the card answers the softphone.
import { useEffect, useState } from "react";
import { Link } from "react-router-dom";
import type { CallOffered } from "../api/types";
import { formatDateTime, humanise } from "../lib/format";
import { ANSWER_EVENT } from "./answerEvent";


function eventsUrl(): string {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${window.location.host}/api/v1/events`;
}

/** The events socket, reopened after a drop; the latest offer. */
function useOffers(): [CallOffered | null, () => void] {
  const [offer, setOffer] = useState<CallOffered | null>(null);
  useEffect(() => {
    let socket: WebSocket | null = null;
    let retry: number | undefined;
    let closed = false;
    const open = () => {
      socket = new WebSocket(eventsUrl());
      socket.onmessage = (message) => {
        try {
          const event = JSON.parse(String(message.data)) as { type?: string };
          if (event.type === "call.offered") setOffer(event as CallOffered);
        } catch {
          // not ours to read
        }
      };
      socket.onclose = () => {
        if (!closed) retry = window.setTimeout(open, 2000);
      };
    };
    open();
    return () => {
      closed = true;
      window.clearTimeout(retry);
      socket?.close();
    };
  }, []);
  return [offer, () => setOffer(null)];
}

export function ScreenPop() {
  const [offer, dismiss] = useOffers();
  const [answered, setAnswered] = useState<string | null>(null);
  if (!offer) return null;
  const { card } = offer;
  const number = offer.caller_e164 ?? offer.caller;
  return (
    <section className="screen-pop card" role="dialog" aria-label="Incoming call" data-testid="screen-pop">
      <header className="screen-pop-head">
        <div>
          <strong>Call from {offer.caller_name ? `${offer.caller_name} (${number})` : number}</strong>
          <div className="muted">
            Queue {offer.queue} · dialled {offer.called}
          </div>
        </div>
        <div className="screen-pop-actions">
          {answered !== offer.call_id && (
            <button
              type="button"
              className="primary"
              onClick={() => {
                window.dispatchEvent(new CustomEvent(ANSWER_EVENT));
                setAnswered(offer.call_id);
              }}
            >
              Answer
            </button>
          )}
          <button type="button" onClick={dismiss}>Close</button>
        </div>
      </header>
      {card ? (
        <div className="screen-pop-card" data-testid="screen-pop-client">
          <h2>
            <Link to={`/clients/${encodeURIComponent(String(card.client.id))}`}>{card.client.name}</Link>
          </h2>
          {card.contact_person && <div>Contact: {card.contact_person.name}</div>}
          <div className="muted">
            {[card.client.status, card.client.responsible_name && `responsible ${card.client.responsible_name}`]
              .filter(Boolean)
              .join(" · ")}
          </div>
          <h3>Recent contacts</h3>
          {card.recent_interactions.length === 0 ? (
            <p className="muted">None yet.</p>
          ) : (
            <ul>
              {card.recent_interactions.map((i) => (
                <li key={String(i.id)}>
                  {formatDateTime(i.started_at)} · {humanise(i.channel)} {humanise(i.direction)}
                  {i.result ? ` · ${i.result}` : ""}
                </li>
              ))}
            </ul>
          )}
          <h3>Open tasks</h3>
          {card.open_tasks.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <ul>
              {card.open_tasks.map((t) => (
                <li key={String(t.id)} className={t.overdue ? "overdue" : ""}>
                  {t.title} · due {formatDateTime(t.due_at)}
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : (
        <div className="screen-pop-card" data-testid="screen-pop-unknown">
          <p>No client has this number.</p>
          <Link to={`/clients/new?phone=${encodeURIComponent(number)}`}>New client with {number}</Link>
        </div>
      )}
    </section>
  );
}
