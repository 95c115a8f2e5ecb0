// The screen pop: when the ACD offers a call to this agent, the caller's
// client card opens over the page before the phone rings (pushed on the
// events socket, /api/v1/events). An unknown number offers a new client
// with it. Answering from the card answers the softphone; once the call is
// over, the card holds the wrap-up form.
import { useState } from "react";
import { Link } from "react-router-dom";
import type { AgentStateEvent, CallOffered } from "../api/types";
import { useEvent } from "../lib/events";
import { formatDateTime, humanise } from "../lib/format";
import { ANSWER_EVENT, DIAL_EVENT } from "./answerEvent";
import { WrapUpForm } from "./WrapUpForm";

export function ScreenPop() {
  const [offer, setOffer] = useState<CallOffered | null>(null);
  const [answered, setAnswered] = useState<string | null>(null);
  // The call this agent took (their state went on_call with the card up),
  // and whether it is over: then the card gives way to the wrap-up.
  const [taken, setTaken] = useState<string | null>(null);
  const [agentState, setAgentState] = useState<string>("offline");
  useEvent<CallOffered>("call.offered", (event) => {
    setOffer(event);
    setTaken(null);
  });
  useEvent<AgentStateEvent>("agent.state", (event) => {
    setAgentState(event.state);
    if (event.state === "on_call") setTaken((t) => t ?? offer?.call_id ?? null);
  });
  const dismiss = () => {
    setOffer(null);
    setTaken(null);
  };
  if (!offer) return null;
  const talking = taken === offer.call_id && agentState === "on_call";
  const wrappingUp = taken === offer.call_id && !talking;
  const { card } = offer;
  const number = offer.caller_e164 ?? offer.caller;
  return (
    <section className="screen-pop card" role="dialog" aria-label="Incoming call" data-testid="screen-pop">
      <header className="screen-pop-head">
        <div>
          <strong>
            {offer.callback ? "Call back" : "Call from"} {offer.caller_name ? `${offer.caller_name} (${number})` : number}
          </strong>
          <div className="muted">
            {offer.callback ? "Asked for a callback in queue" : "Queue"} {offer.queue} · dialled {offer.called}
          </div>
        </div>
        <div className="screen-pop-actions">
          {answered !== offer.call_id && taken !== offer.call_id && (
            <button
              type="button"
              className="primary"
              onClick={() => {
                // A callback is made from here; a call rings and is answered.
                if (offer.callback) window.dispatchEvent(new CustomEvent(DIAL_EVENT, { detail: number }));
                else window.dispatchEvent(new CustomEvent(ANSWER_EVENT));
                setAnswered(offer.call_id);
              }}
            >
              {offer.callback ? "Call back now" : "Answer"}
            </button>
          )}
          <button type="button" onClick={dismiss}>Close</button>
        </div>
      </header>
      {wrappingUp && <WrapUpForm key={offer.call_id} offer={offer} inWrapUp={agentState === "wrap_up"} onDone={dismiss} />}
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
