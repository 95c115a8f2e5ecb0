// A campaign's settings as a form: how it dials, through which trunk and as
// which number, the calling window, attempts, the abandon limit, ringing,
// wrap-up and machine detection, what calls cost and may cost, what each
// result brings, results, script and survey (each in its own editor) and
// agents. The server checks every setting and names the wrong ones; each
// error shows beside its field.
import { useEffect, useState, type FormEvent } from "react";
import { api } from "../api/endpoints";
import type { Campaign, DialMode, Id } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { describedBy, Field } from "../components/Field";
import { useSubmit } from "../components/useSubmit";
import { draftOf, resultsOf, settingsOf, type Draft } from "./draft";
import { ScriptEditor } from "./ScriptEditor";
import { scriptFields, type StepDraft } from "./scriptModel";
import { SurveyEditor } from "./SurveyEditor";
import { surveyFields, type QuestionDraft } from "./surveyModel";

const MODES: DialMode[] = ["preview", "progressive", "predictive"];

/** The fields the form shows errors beside (as the server names them);
 * each result's value, step and question is claimed too, by its own paths. */
const CLAIMED = ["name", "settings.agents", "settings.mode", "settings.caller_id", "settings.time_zone", "settings.calling_from", "settings.calling_until", "settings.max_attempts", "settings.abandon_limit_pct", "settings.max_lines_per_agent", "settings.ring_seconds", "settings.wrap_up_seconds", "settings.detect_machines", "settings.cost_per_minute", "settings.budget", "settings.result_values", "settings.results", "settings.trunk"];

/** The draft's keys edited as one line of text each. */
type TextKey = Exclude<keyof Draft, "mode" | "agents" | "detect_machines" | "result_values" | "script" | "survey">;

/** One text input per listed result for what it brings (empty: nothing), with
 * the server's error for the values as a whole (a negative one) or for one. */
function ResultValues({ results, values, onChange, errorOf }: {
  results: string[];
  values: Record<string, string>;
  onChange: (result: string, value: string) => void;
  errorOf: (field: string) => string | undefined;
}) {
  const error = errorOf("settings.result_values");
  if (results.length === 0 && !error) return null;
  return (
    <fieldset aria-label="Result values">
      <legend>What each result brings</legend>
      {results.map((r, i) => {
        const id = `campaign-result-value-${i}`;
        const field = `settings.result_values.${r}`;
        return (
          <Field key={`${i}:${r}`} id={id} label={`Value of ${r}`} field={field} error={errorOf(field)}>
            <input id={id} value={values[r] ?? ""} onChange={(e) => onChange(r, e.target.value)} inputMode="decimal" {...describedBy(id, errorOf(field))} />
          </Field>
        );
      })}
      {error && <p className="field-error" data-testid="field-error" data-field="settings.result_values">{error}</p>}
    </fieldset>
  );
}

export function CampaignForm({ campaign, onSaved, onCancel }: { campaign: Campaign | null; onSaved: () => void; onCancel: () => void }) {
  const [draft, setDraft] = useState(() => draftOf(campaign));
  const [agents, setAgents] = useState<{ id: Id; name: string }[]>([]);
  const { busy, error, run, errorOf } = useSubmit();
  useEffect(() => {
    api.campaignAgents().then((list) => setAgents(list.items), () => setAgents([]));
  }, []);
  const toggle = (id: Id, on: boolean) =>
    setDraft((d) => ({ ...d, agents: on ? [...d.agents, id] : d.agents.filter((a) => a !== id) }));
  const set = (key: TextKey | "mode") => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [key]: e.target.value }));
  const setValue = (result: string, value: string) => setDraft((d) => ({ ...d, result_values: { ...d.result_values, [result]: value } }));
  const setScript = (script: StepDraft[]) => setDraft((d) => ({ ...d, script }));
  const setSurvey = (survey: QuestionDraft[]) => setDraft((d) => ({ ...d, survey }));
  const results = resultsOf(draft);

  async function save(event: FormEvent) {
    event.preventDefault();
    const saved = await run(async () => {
      if (campaign) await api.updateCampaign(campaign.id, draft.name, settingsOf(draft));
      else await api.createCampaign(draft.name, settingsOf(draft));
    });
    if (saved) onSaved();
  }

  const field = (key: TextKey, label: string, hint?: string) => {
    const name = key === "name" ? "name" : `settings.${key}`;
    const id = `campaign-${key}`;
    return (
      <Field id={id} label={label} field={name} error={errorOf(name)} hint={hint}>
        <input id={id} value={draft[key]} onChange={set(key)} {...describedBy(id, errorOf(name))} />
      </Field>
    );
  };
  const machinesError = errorOf("settings.detect_machines");
  return (
    <form className="card" onSubmit={(e) => void save(e)} aria-label="Campaign settings">
      <ErrorBanner
        error={error}
        claimed={[...CLAIMED, ...results.map((r) => `settings.result_values.${r}`), ...scriptFields(draft.script), ...surveyFields(draft.survey)]}
      />
      {field("name", "Name")}
      <Field id="campaign-mode" label="Dialling" field="settings.mode" error={errorOf("settings.mode")}>
        <select id="campaign-mode" value={draft.mode} onChange={set("mode")}>
          {MODES.map((m) => <option key={m}>{m}</option>)}
        </select>
      </Field>
      {field("caller_id", "Caller ID", "the number called people see")}
      {field("trunk", "Trunk", "the trunk calls go out on")}
      {field("time_zone", "Time zone", "for numbers whose zone is unknown")}
      {field("calling_from", "Call from", "HH:MM in the client's time")}
      {field("calling_until", "Call until", "HH:MM in the client's time")}
      {field("max_attempts", "Attempts per number")}
      {field("abandon_limit_pct", "Abandoned calls at most (%)")}
      {field("max_lines_per_agent", "Lines per agent at most")}
      {field("ring_seconds", "Ring for (s)", "10 to 60; then the dialler gives up on the call")}
      {field("wrap_up_seconds", "Wrap-up (s)", "the agent's time to record a call, 0 to 600")}
      <div className={`field checkbox-field${machinesError ? " has-error" : ""}`}>
        <label htmlFor="campaign-detect_machines">
          <input id="campaign-detect_machines" type="checkbox" checked={draft.detect_machines}
            onChange={(e) => setDraft((d) => ({ ...d, detect_machines: e.target.checked }))} /> Detect answering machines
        </label>
        {machinesError && <p className="field-error" data-testid="field-error" data-field="settings.detect_machines">{machinesError}</p>}
      </div>
      {field("cost_per_minute", "Cost per minute", "of an answered call, billed by the second")}
      {field("budget", "Budget", "empty: no limit; once spent, no more calls")}
      {field("results", "Results", "comma-separated")}
      <ResultValues results={results} values={draft.result_values} onChange={setValue} errorOf={errorOf} />
      <ScriptEditor steps={draft.script} onChange={setScript} errorOf={errorOf} />
      <SurveyEditor questions={draft.survey} onChange={setSurvey} errorOf={errorOf} />
      <fieldset aria-label="Agents">
        <legend>Agents</legend>
        {agents.map((a) => (
          <label key={a.id} className="agent-queue">
            <input type="checkbox" checked={draft.agents.includes(a.id)} onChange={(e) => toggle(a.id, e.target.checked)} />
            {a.name}
          </label>
        ))}
      </fieldset>
      <div className="agent-actions">
        <button type="submit" className="primary" disabled={busy}>Save campaign</button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
