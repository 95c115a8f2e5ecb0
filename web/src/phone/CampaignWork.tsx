// An agent's campaign work in preview mode: take the next lead, see who it
// is, call them from this phone (or skip), then say how it went. The
// server gives only a lead that may be called now (inside the client's
// calling hours, on no do-not-call list, not being called by anyone else).
// Campaigns the server dials (progressive, predictive) come to the agent as
// calls instead, with the same work in the screen pop.
import { useEffect, useState } from "react";
import { api } from "../api/endpoints";
import type { AgentCampaign, Id, PreviewLead } from "../api/types";
import { problemText } from "../lib/fieldErrors";
import { DIAL_EVENT } from "./answerEvent";
import { LeadWork } from "./LeadWork";

const OUTCOMES: [string, string][] = [
  ["busy", "Busy"],
  ["no_answer", "No answer"],
  ["voicemail", "Voicemail"],
  ["failed", "Failed"],
  ["skipped", "Skip"],
];

export function CampaignWork() {
  const [campaigns, setCampaigns] = useState<AgentCampaign[]>([]);
  const [chosen, setChosen] = useState<Id | null>(null);
  const [lead, setLead] = useState<PreviewLead | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    api.agentCampaigns().then(
      (list) => {
        const previewed = list.items.filter((c) => c.mode === "preview");
        setCampaigns(previewed);
        setChosen(previewed[0]?.id ?? null);
      },
      () => setCampaigns([]),
    );
  }, []);

  if (campaigns.length === 0) return null;

  async function next() {
    if (chosen === null) return;
    setNotice(null);
    try {
      const given = await api.nextLead(chosen);
      setLead(given ?? null);
      if (!given) setNotice("Nothing to call now");
    } catch (err) {
      setNotice(problemText(err));
    }
  }

  return (
    <div className="agent-queues" aria-label="Campaign calls" role="region">
      <h3>Campaign calls</h3>
      {!lead && (
        <div className="agent-actions">
          <select aria-label="Campaign" value={chosen ?? ""} onChange={(e) => setChosen(Number(e.target.value))}>
            {campaigns.map((c) => (
              <option key={c.id} value={c.id}>{c.name}</option>
            ))}
          </select>
          <button type="button" onClick={() => void next()}>Next lead</button>
        </div>
      )}
      {lead && (
        <LeadWork
          key={lead.lead.id}
          work={lead}
          outcomes={OUTCOMES}
          actions={
            <button type="button" className="primary" onClick={() => window.dispatchEvent(new CustomEvent(DIAL_EVENT, { detail: lead.lead.number }))}>
              Call
            </button>
          }
          onRecorded={(said) => {
            setNotice(said);
            setLead(null);
          }}
        />
      )}
      {notice && <p className="muted" data-testid="campaign-notice">{notice}</p>}
    </div>
  );
}
