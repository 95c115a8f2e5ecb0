// A campaign's settings as a form: how it dials, through which trunk and as
// which number, the calling window, attempts, the abandon limit, results,
// script, survey and agents. The server checks every setting and names the
// wrong ones; each error shows beside its field.
import { useEffect, useState, type FormEvent } from "react";
import { api } from "../api/endpoints";
import type { Campaign, CampaignSettings, DialMode, Id } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { Field } from "../components/Field";
import { useSubmit } from "../components/useSubmit";

const MODES: DialMode[] = ["preview", "progressive", "predictive"];

/** The fields the form shows errors beside (as the server names them). */
const CLAIMED = ["name", "settings.agents", "settings.script", "settings.survey", "settings.mode", "settings.caller_id", "settings.time_zone", "settings.calling_from", "settings.calling_until", "settings.max_attempts", "settings.abandon_limit_pct", "settings.max_lines_per_agent", "settings.results", "settings.trunk"];

interface Draft {
  name: string;
  mode: DialMode;
  trunk: string;
  caller_id: string;
  time_zone: string;
  calling_from: string;
  calling_until: string;
  max_attempts: string;
  abandon_limit_pct: string;
  max_lines_per_agent: string;
  results: string;
  agents: Id[];
  /** The script and the survey as JSON text (see the README). */
  script: string;
  survey: string;
}

function draftOf(c: Campaign | null): Draft {
  const s = c?.settings;
  return {
    name: c?.name ?? "",
    mode: s?.mode ?? "progressive",
    trunk: s?.trunk ?? "",
    caller_id: s?.caller_id ?? "",
    time_zone: s?.time_zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC",
    calling_from: s?.calling_from ?? "08:00",
    calling_until: s?.calling_until ?? "21:00",
    max_attempts: String(s?.max_attempts ?? 5),
    abandon_limit_pct: String(s?.abandon_limit_pct ?? 3),
    max_lines_per_agent: String(s?.max_lines_per_agent ?? 3),
    results: (s?.results ?? []).join(", "),
    agents: s?.agents ?? [],
    script: JSON.stringify(s?.script ?? [], null, 2),
    survey: JSON.stringify(s?.survey ?? [], null, 2),
  };
}

function settingsOf(d: Draft): Partial<CampaignSettings> {
  const settings: Partial<CampaignSettings> = {
    mode: d.mode,
    time_zone: d.time_zone.trim(),
    calling_from: d.calling_from.trim(),
    calling_until: d.calling_until.trim(),
    max_attempts: Number(d.max_attempts),
    abandon_limit_pct: Number(d.abandon_limit_pct),
    max_lines_per_agent: Number(d.max_lines_per_agent),
    agents: d.agents,
  };
  if (d.trunk.trim()) settings.trunk = d.trunk.trim();
  if (d.caller_id.trim()) settings.caller_id = d.caller_id.trim();
  const results = d.results.split(",").map((r) => r.trim()).filter(Boolean);
  if (results.length) settings.results = results;
  // Text that is not JSON goes as it is: the server names the field.
  const json = (text: string) => {
    try {
      return JSON.parse(text || "[]");
    } catch {
      return text;
    }
  };
  settings.script = json(d.script);
  settings.survey = json(d.survey);
  return settings;
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
  const set = (key: Exclude<keyof Draft, "agents">) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [key]: e.target.value }));

  async function save(event: FormEvent) {
    event.preventDefault();
    const saved = await run(async () => {
      if (campaign) await api.updateCampaign(campaign.id, draft.name, settingsOf(draft));
      else await api.createCampaign(draft.name, settingsOf(draft));
    });
    if (saved) onSaved();
  }

  const field = (key: Exclude<keyof Draft, "agents" | "script" | "survey">, label: string, hint?: string) => {
    const name = key === "name" ? "name" : `settings.${key}`;
    return (
      <Field id={`campaign-${key}`} label={label} field={name} error={errorOf(name)} hint={hint}>
        <input id={`campaign-${key}`} value={draft[key]} onChange={set(key)} />
      </Field>
    );
  };
  return (
    <form className="card" onSubmit={(e) => void save(e)} aria-label="Campaign settings">
      <ErrorBanner error={error} claimed={CLAIMED} />
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
      {field("results", "Results", "comma-separated")}
      <Field id="campaign-script" label="Script (JSON)" field="settings.script" error={errorOf("settings.script")} hint='[{"id": "hello", "text": "...", "choices": [{"label": "Yes", "next": "offer"}]}]'>
        <textarea id="campaign-script" rows={4} value={draft.script} onChange={set("script")} />
      </Field>
      <Field id="campaign-survey" label="Survey (JSON)" field="settings.survey" error={errorOf("settings.survey")} hint='[{"key": "plan", "text": "Which plan?", "kind": "choice", "options": ["a", "b"]}]'>
        <textarea id="campaign-survey" rows={4} value={draft.survey} onChange={set("survey")} />
      </Field>
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
