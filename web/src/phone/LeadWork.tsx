// One campaign lead as the agent works it: who it is, the script step by
// step, the survey, and how the call went (the result when answered, other
// outcomes, notes, a callback for me or anyone). Used by the preview panel
// (CampaignWork: the agent calls the lead) and by the screen pop of a call
// the dialler put through (CampaignPop).
import { useState, type ReactNode } from "react";
import { Link } from "react-router-dom";
import { api } from "../api/endpoints";
import type { PreviewLead } from "../api/types";
import { problemText } from "../lib/fieldErrors";
import { surveyOf } from "./survey";

interface Props {
  work: PreviewLead;
  /** The outcomes besides "Answered" the agent may give, with their labels. */
  outcomes: [string, string][];
  /** Shown under the lead's name (the preview's Call button). */
  actions?: ReactNode;
  /** After the server took the outcome: what to tell the agent. */
  onRecorded: (said: string) => void;
}

function ScriptSteps({ work }: { work: PreviewLead }) {
  // Where the agent is in the script.
  const [step, setStep] = useState<string | null>(work.script[0]?.id ?? null);
  const current = step === null ? undefined : work.script.find((s) => s.id === step);
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
}

function SurveyQuestions({ work, answers, onAnswer }: { work: PreviewLead; answers: Record<string, string>; onAnswer: (key: string, value: string) => void }) {
  if (work.survey.length === 0) return null;
  return (
    <div data-testid="campaign-survey">
      {work.survey.map((q) => (
        <label key={q.key} className="survey-question">
          {q.text}
          {q.required ? " *" : ""}{" "}
          {q.kind === "choice" || q.kind === "yes_no" ? (
            <select aria-label={q.text} value={answers[q.key] ?? ""} onChange={(e) => onAnswer(q.key, e.target.value)}>
              <option value="">—</option>
              {(q.kind === "yes_no" ? ["yes", "no"] : q.options).map((o) => <option key={o}>{o}</option>)}
            </select>
          ) : (
            <input aria-label={q.text} type={q.kind === "number" ? "number" : "text"} value={answers[q.key] ?? ""} onChange={(e) => onAnswer(q.key, e.target.value)} />
          )}
        </label>
      ))}
    </div>
  );
}

export function LeadWork({ work, outcomes, actions, onRecorded }: Props) {
  const [result, setResult] = useState(work.results[0] ?? "");
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [notes, setNotes] = useState("");
  const [callbackAt, setCallbackAt] = useState("");
  const [callbackFor, setCallbackFor] = useState<"me" | "anyone">("me");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { lead, card } = work;

  async function record(outcome: string) {
    const body: Parameters<typeof api.leadOutcome>[2] = outcome === "answered" ? { outcome, result } : { outcome };
    const survey = surveyOf(work.survey, answers);
    if (Object.keys(survey).length > 0) body.survey = survey;
    if (notes.trim()) body.notes = notes.trim();
    if (callbackAt) {
      // The input is local time; the server takes an instant.
      body.callback_at = new Date(callbackAt).toISOString();
      body.callback_for = callbackFor;
    }
    setBusy(true);
    try {
      await api.leadOutcome(work.campaign_id, lead.id, body);
      setError(null);
      const said = outcome === "answered" ? result : outcome.replace(/_/g, " ");
      onRecorded(`Recorded: ${said}${callbackAt ? `; call back ${new Date(callbackAt).toLocaleString()}` : ""}`);
    } catch (err) {
      setError(problemText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div data-testid="campaign-lead">
      <p>
        <strong>{card ? <Link to={`/clients/${card.client.id}`}>{card.client.name}</Link> : "Unknown number"}</strong>
        <br />
        {lead.number} · attempt {lead.attempts}
      </p>
      {actions && <div className="agent-actions">{actions}</div>}
      <ScriptSteps work={work} />
      <SurveyQuestions work={work} answers={answers} onAnswer={(key, value) => setAnswers((a) => ({ ...a, [key]: value }))} />
      <div className="agent-actions">
        <select aria-label="Result" value={result} onChange={(e) => setResult(e.target.value)}>
          {work.results.map((r) => <option key={r}>{r}</option>)}
        </select>
        <button type="button" className="primary" disabled={busy} onClick={() => void record("answered")}>Answered</button>
      </div>
      <label className="survey-question">
        Notes <textarea aria-label="Notes" rows={2} value={notes} onChange={(e) => setNotes(e.target.value)} />
      </label>
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
        {outcomes.map(([outcome, label]) => (
          <button key={outcome} type="button" disabled={busy} onClick={() => void record(outcome)}>{label}</button>
        ))}
      </div>
      {error && <p className="field-error" role="alert" data-testid="campaign-notice">{error}</p>}
    </div>
  );
}
