// The screen pop of a campaign's call: the dialler called a lead, the
// person answered, and the call is being put through to this agent, whose
// softphone answers by itself. The pop holds the lead's work (script,
// survey, result, notes, callback) from GET /campaigns/{id}/leads/{lead}/work
// in place of the queue wrap-up; recording the outcome ends the wrap-up.
import { useEffect, useState } from "react";
import { api } from "../api/endpoints";
import type { CallOffered, PreviewLead } from "../api/types";
import { problemText } from "../lib/fieldErrors";
import { CallerCard } from "./CallerCard";
import { LeadWork } from "./LeadWork";

/** A person answered: the other ways such a call can end. */
const OUTCOMES: [string, string][] = [["voicemail", "Voicemail"]];

const CALL_STATE: Record<string, string> = {
  ringing: "Putting the call through…",
  on_call: "On the call",
  wrap_up: "Call ended: record how it went",
};

interface Props {
  offer: CallOffered;
  /** The agent's state as the server pushes it. */
  agentState: string;
  onClose: () => void;
}

export function CampaignPop({ offer, agentState, onClose }: Props) {
  const [work, setWork] = useState<PreviewLead | null>(null);
  const [recorded, setRecorded] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const number = offer.caller_e164 ?? offer.caller;

  useEffect(() => {
    if (offer.campaign_id == null || offer.lead_id == null) return;
    let live = true;
    api.leadWork(offer.campaign_id, offer.lead_id).then(
      (w) => live && setWork(w),
      (err: unknown) => live && setError(problemText(err)),
    );
    return () => {
      live = false;
    };
  }, [offer.campaign_id, offer.lead_id]);

  function done(said: string) {
    setRecorded(said);
    // The outcome is the wrap-up: the agent is free for the next call.
    if (agentState === "wrap_up") api.agentReady().catch(() => {});
  }

  return (
    <section className="screen-pop card" role="dialog" aria-label="Campaign call" data-testid="screen-pop" data-campaign-call={offer.call_id}>
      <header className="screen-pop-head">
        <div>
          <strong data-testid="campaign-call">Campaign call · {work?.campaign ?? "…"}</strong>
          <div className="muted">
            {offer.caller_name ? `${offer.caller_name} (${number})` : number}
            {CALL_STATE[agentState] && <span data-testid="campaign-call-state"> · {CALL_STATE[agentState]}</span>}
          </div>
        </div>
        <div className="screen-pop-actions">
          <button type="button" onClick={onClose}>Close</button>
        </div>
      </header>
      {error && <p className="banner error" role="alert">{error}</p>}
      {recorded ? (
        <p className="banner ok" data-testid="campaign-notice">{recorded}</p>
      ) : (
        work && <LeadWork key={work.lead.id} work={work} outcomes={OUTCOMES} onRecorded={done} />
      )}
      <CallerCard card={offer.card} number={number} />
    </section>
  );
}
