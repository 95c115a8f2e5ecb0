// The screen pop: when the ACD offers a call to this agent, the caller's
// client card opens over the page before the phone rings (pushed on the
// events socket, /api/v1/events). An unknown number offers a new client
// with it. Answering from the card answers the softphone; once the call is
// over, the card holds the wrap-up form. A campaign's call (the offer names
// the campaign and lead) is answered by the softphone itself and pops the
// lead's work instead (CampaignPop).
import { useState } from "react";
import type { AgentStateEvent, CallOffered } from "../api/types";
import { useEvent } from "../lib/events";
import { ANSWER_EVENT, AUTO_ANSWER_EVENT, DIAL_EVENT } from "./answerEvent";
import { CallerCard } from "./CallerCard";
import { CampaignPop } from "./CampaignPop";
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
    // The dialler's call is abandoned if no agent takes it within seconds.
    if (event.campaign_id != null) window.dispatchEvent(new CustomEvent(AUTO_ANSWER_EVENT));
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
  if (offer.campaign_id != null) return <CampaignPop key={offer.call_id} offer={offer} agentState={agentState} onClose={dismiss} />;
  const talking = taken === offer.call_id && agentState === "on_call";
  const wrappingUp = taken === offer.call_id && !talking;
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
      <CallerCard card={offer.card} number={number} />
    </section>
  );
}
