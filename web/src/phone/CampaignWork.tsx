// An agent's campaign work in preview mode: take the next lead, see who it
// is, call them from this phone (or skip), then say how it went. The
// server gives only a lead that may be called now (inside the client's
// calling hours, on no do-not-call list, not being called by anyone else).
import { useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { api } from "../api/endpoints";
import type { AgentCampaign, Id, PreviewLead, SurveyQuestion } from "../api/types";
import { DIAL_EVENT } from "./answerEvent";

const OUTCOMES: [string, string][] = [
  ["busy", "Busy"],
  ["no_answer", "No answer"],
  ["voicemail", "Voicemail"],
  ["failed", "Failed"],
  ["skipped", "Skip"],
];

/** The answers typed so far, as the server takes them: true/false for a
 * yes/no question, numbers for a number question, text otherwise. */
function surveyOf(questions: SurveyQuestion[], answers: Record<string, string>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const q of questions) {
    const given = answers[q.key];
    if (given === undefined || given === "") continue;
    if (q.kind === "yes_no") out[q.key] = given === "yes";
    else if (q.kind === "number") out[q.key] = Number(given);
    else out[q.key] = given;
  }
  return out;
}

export function CampaignWork() {
  const [campaigns, setCampaigns] = useState<AgentCampaign[]>([]);
  const [chosen, setChosen] = useState<Id | null>(null);
  const [lead, setLead] = useState<PreviewLead | null>(null);
  const [result, setResult] = useState("");
  const [callbackAt, setCallbackAt] = useState("");
  const [callbackFor, setCallbackFor] = useState<"me" | "anyone">("me");
  // Where the agent is in the script, and the survey's answers so far.
  const [step, setStep] = useState<string | null>(null);
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    api.agentCampaigns().then(
      (list) => {
        setCampaigns(list.items);
        setChosen(list.items[0]?.id ?? null);
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
      setResult(given?.results[0] ?? "");
      setStep(given?.script[0]?.id ?? null);
      setAnswers({});
      if (!given) setNotice("Nothing to call now");
    } catch (err) {
      setNotice(err instanceof Error ? err.message : String(err));
    }
  }

  async function record(outcome: string) {
    if (!lead) return;
    try {
      const body: Parameters<typeof api.leadOutcome>[2] = outcome === "answered" ? { outcome, result } : { outcome };
      const survey = surveyOf(lead.survey, answers);
      if (Object.keys(survey).length > 0) body.survey = survey;
      if (callbackAt) {
        // The input is local time; the server takes an instant.
        body.callback_at = new Date(callbackAt).toISOString();
        body.callback_for = callbackFor;
      }
      await api.leadOutcome(lead.campaign_id, lead.lead.id, body);
      const said = outcome === "answered" ? result : outcome.replace("_", " ");
      setNotice(`Recorded: ${said}${callbackAt ? `; call back ${new Date(callbackAt).toLocaleString()}` : ""}`);
      setLead(null);
      setCallbackAt("");
    } catch (err) {
      setNotice(err instanceof Error ? err.message : String(err));
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
        <div data-testid="campaign-lead">
          <p>
            <strong>{lead.card ? <Link to={`/clients/${lead.card.client.id}`}>{lead.card.client.name}</Link> : "Unknown number"}</strong>
            <br />
            {lead.lead.number} · attempt {lead.lead.attempts}
          </p>
          <div className="agent-actions">
            <button type="button" className="primary" onClick={() => window.dispatchEvent(new CustomEvent(DIAL_EVENT, { detail: lead.lead.number }))}>
              Call
            </button>
          </div>
          {step !== null && (() => {
            const current = lead.script.find((s) => s.id === step);
            if (!current) return null;
            return (
              <div data-testid="campaign-script">
                <p>{current.text}</p>
                <div className="agent-actions">
                  {current.choices.map((c) => (
                    <button key={c.label} type="button" onClick={() => setStep(c.next)}>{c.label}</button>
                  ))}
                </div>
              </div>
            );
          })()}
          {lead.survey.length > 0 && (
            <div data-testid="campaign-survey">
              {lead.survey.map((q) => (
                <label key={q.key} className="survey-question">
                  {q.text}
                  {q.required ? " *" : ""}{" "}
                  {q.kind === "choice" || q.kind === "yes_no" ? (
                    <select aria-label={q.text} value={answers[q.key] ?? ""} onChange={(e) => setAnswers((a) => ({ ...a, [q.key]: e.target.value }))}>
                      <option value="">—</option>
                      {(q.kind === "yes_no" ? ["yes", "no"] : q.options).map((o) => <option key={o}>{o}</option>)}
                    </select>
                  ) : (
                    <input
                      aria-label={q.text}
                      type={q.kind === "number" ? "number" : "text"}
                      value={answers[q.key] ?? ""}
                      onChange={(e) => setAnswers((a) => ({ ...a, [q.key]: e.target.value }))}
                    />
                  )}
                </label>
              ))}
            </div>
          )}
          <div className="agent-actions">
            <select aria-label="Result" value={result} onChange={(e) => setResult(e.target.value)}>
              {lead.results.map((r) => <option key={r}>{r}</option>)}
            </select>
            <button type="button" onClick={() => void record("answered")}>Answered</button>
          </div>
          <div className="agent-actions">
            <label>
              Call back at{" "}
              <input type="datetime-local" aria-label="Call back at" value={callbackAt} onChange={(e) => setCallbackAt(e.target.value)} />
            </label>
            <select aria-label="Call back by" value={callbackFor} onChange={(e) => setCallbackFor(e.target.value as "me" | "anyone")}>
              <option value="me">me</option>
              <option value="anyone">anyone</option>
            </select>
          </div>
          <div className="agent-actions">
            {OUTCOMES.map(([outcome, label]) => (
              <button key={outcome} type="button" onClick={() => void record(outcome)}>{label}</button>
            ))}
          </div>
        </div>
      )}
      {notice && <p className="muted" data-testid="campaign-notice">{notice}</p>}
    </div>
  );
}
