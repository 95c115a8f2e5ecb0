// An agent's campaign work in the phone panel. Preview campaigns: take the
// next lead, see who it is, call them from this phone (or skip), then say
// how it went; the server gives only a lead that may be called now (inside
// the client's calling hours, on no do-not-call list, not being called by
// anyone else). Campaigns the server dials come to the agent as calls, with
// the same work in the screen pop. Either way a lead whose outcome the
// agent has not said yet (the pop closed too soon, the page reloaded) stays
// theirs: it is listed here "to finish", read again after each call.
import { useCallback, useEffect, useState } from "react";
import { api } from "../api/endpoints";
import type { AgentCampaign, AgentStateEvent, Id, PreviewLead } from "../api/types";
import { useEvent } from "../lib/events";
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
  const [unfinished, setUnfinished] = useState<PreviewLead[]>([]);
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
  const loadUnfinished = useCallback(() => {
    api.agentLeads().then(
      (list) => setUnfinished(list.items),
      () => setUnfinished([]),
    );
  }, []);
  useEffect(loadUnfinished, [loadUnfinished]);
  // A call ended or wrap-up is over: a campaign call's lead may be left.
  useEvent<AgentStateEvent>("agent.state", loadUnfinished);

  // The lead being worked is not listed twice.
  const toFinish = unfinished.filter((u) => u.lead.id !== lead?.lead.id);
  if (campaigns.length === 0 && toFinish.length === 0 && !lead && !notice) return null;

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
      {!lead && toFinish.length > 0 && (
        <div data-testid="leads-to-finish">
          <p className="muted">To finish: say how these went.</p>
          <ul>
            {toFinish.map((u) => (
              <li key={u.lead.id} data-lead={u.lead.number}>
                <button type="button" className="link-button" onClick={() => setLead(u)}>
                  {u.card?.client.name ?? u.lead.number} · {u.campaign}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {!lead && campaigns.length > 0 && (
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
            loadUnfinished();
          }}
        />
      )}
      {notice && <p className="muted" data-testid="campaign-notice">{notice}</p>}
    </div>
  );
}
