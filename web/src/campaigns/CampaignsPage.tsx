// The marketers' console: campaigns with their dialling settings, the leads
// each will call (clients picked by the client list's filters, or a CSV
// file) and the numbers it must not call. The server checks every setting
// and says which one is wrong. Dialling itself is not wired up yet.
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api } from "../api/endpoints";
import type { Campaign, CampaignLead, CampaignSettings, CampaignStats, DialMode, DncEntry, Id, LeadsAdded } from "../api/types";
import { useMe } from "../auth/AuthContext";
import { canWrite } from "../auth/rights";
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

function CampaignForm({ campaign, onSaved, onCancel }: { campaign: Campaign | null; onSaved: () => void; onCancel: () => void }) {
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

/** "sale 3, no interest 1". */
function summary(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([key, count]) => `${key.replace("_", " ")} ${count}`)
    .join(", ");
}

function Leads({ campaign, canChange }: { campaign: Campaign; canChange: boolean }) {
  const [leads, setLeads] = useState<CampaignLead[]>([]);
  const [more, setMore] = useState<string | null>(null);
  const [dnc, setDnc] = useState<DncEntry[]>([]);
  const [stats, setStats] = useState<CampaignStats | null>(null);
  const [status, setStatus] = useState("");
  const [q, setQ] = useState("");
  const [priority, setPriority] = useState("0");
  const [number, setNumber] = useState("");
  const [added, setAdded] = useState<LeadsAdded | null>(null);
  const [error, setError] = useState<unknown>();

  const load = useCallback(() => {
    api.campaignLeads(campaign.id).then((page) => {
      setLeads(page.items);
      setMore(page.next_cursor);
    }, setError);
    api.campaignDnc(campaign.id).then((list) => setDnc(list.items), setError);
    api.campaignStats(campaign.id).then(setStats, setError);
  }, [campaign.id]);
  useEffect(load, [load]);

  async function act(action: () => Promise<LeadsAdded | unknown>) {
    setError(undefined);
    try {
      const result = await action();
      if (result && typeof result === "object" && "added" in result) setAdded(result as LeadsAdded);
      load();
    } catch (err) {
      setError(err);
    }
  }

  async function upload(file: File) {
    const text = await file.text();
    await act(() => api.addLeadsCsv(campaign.id, text));
  }

  return (
    <div className="card" data-testid="campaign-leads">
      <h3>Leads of {campaign.name}</h3>
      <ErrorBanner error={error} />
      {stats && (
        <p data-testid="campaign-stats">
          {stats.leads} leads: {stats.waiting} waiting, {stats.dialling} being called, {stats.closed} closed; {stats.attempts} calls made
          {Object.keys(stats.results).length > 0 && ` · results: ${summary(stats.results)}`}
          {Object.keys(stats.last_outcomes).length > 0 && ` · last outcomes: ${summary(stats.last_outcomes)}`}{" "}
          <a href={`/api/v1/campaigns/${campaign.id}/export`} download>Export CSV</a>
        </p>
      )}
      {canChange && (
        <div className="agent-actions">
          <label>
            Clients with status <input aria-label="Client status" value={status} onChange={(e) => setStatus(e.target.value)} />
          </label>
          <label>
            matching <input aria-label="Client search" value={q} onChange={(e) => setQ(e.target.value)} />
          </label>
          <label>
            priority <input aria-label="Priority" value={priority} onChange={(e) => setPriority(e.target.value)} size={3} />
          </label>
          <button type="button" onClick={() => void act(() => api.addSegment(campaign.id, { status, q, priority }))}>
            Add clients
          </button>
          <label>
            or a CSV file (number, priority){" "}
            <input type="file" accept=".csv,text/csv" aria-label="Leads file" onChange={(e) => e.target.files?.[0] && void upload(e.target.files[0])} />
          </label>
        </div>
      )}
      {added && (
        <p data-testid="leads-added">
          {added.added} added
          {added.rejected.length > 0 && `; left out: ${added.rejected.map((r) => `line ${r.line} (${r.reason})`).join(", ")}`}
        </p>
      )}
      <table className="table">
        <thead>
          <tr>
            <th>Number</th>
            <th>Client</th>
            <th>Priority</th>
            <th>State</th>
            <th>Attempts</th>
          </tr>
        </thead>
        <tbody>
          {leads.map((l) => (
            <tr key={l.id} data-lead={l.number}>
              <td>{l.number}</td>
              <td>{l.client_name ?? "—"}</td>
              <td>{l.priority}</td>
              <td>{l.closed_as ? `closed: ${l.closed_as}` : l.state}</td>
              <td>{l.attempts}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {more && (
        <button
          type="button"
          onClick={() =>
            api.campaignLeads(campaign.id, more).then((page) => {
              setLeads((shown) => [...shown, ...page.items]);
              setMore(page.next_cursor);
            }, setError)
          }
        >
          More leads
        </button>
      )}
      <h3>Do not call (this campaign)</h3>
      {canChange && (
        <form
          className="agent-actions"
          onSubmit={(e) => {
            e.preventDefault();
            void act(() => api.addCampaignDnc(campaign.id, number, "")).then(() => setNumber(""));
          }}
        >
          <input aria-label="Number not to call" value={number} onChange={(e) => setNumber(e.target.value)} />
          <button type="submit">Add</button>
        </form>
      )}
      <ul data-testid="campaign-dnc">
        {dnc.map((d) => (
          <li key={d.id}>
            {d.number}
            {canChange && (
              <>
                {" "}
                <button type="button" onClick={() => void act(() => api.deleteDnc(d.id))}>Remove</button>
              </>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function CampaignsPage() {
  const me = useMe();
  const canChange = canWrite(me, "campaigns");
  const [campaigns, setCampaigns] = useState<Campaign[]>([]);
  const [editing, setEditing] = useState<Campaign | "new" | null>(null);
  const [open, setOpen] = useState<Campaign | null>(null);
  const [error, setError] = useState<unknown>();

  const load = useCallback(() => {
    api.campaigns().then((list) => {
      setCampaigns(list.items);
      setError(undefined);
    }, setError);
  }, []);
  useEffect(load, [load]);

  return (
    <section className="page" aria-label="Campaigns">
      <div className="section-head">
        <h1>Campaigns</h1>
        {canChange && editing === null && <button type="button" onClick={() => setEditing("new")}>New campaign</button>}
      </div>
      <ErrorBanner error={error} />
      {editing !== null && (
        <CampaignForm
          key={editing === "new" ? "new" : editing.id}
          campaign={editing === "new" ? null : editing}
          onCancel={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            load();
          }}
        />
      )}
      <table className="table" data-testid="campaigns">
        <thead>
          <tr>
            <th>Campaign</th>
            <th>Dialling</th>
            <th>Calls</th>
            <th>Abandon limit</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {campaigns.map((c) => (
            <tr key={c.id} data-campaign={c.name}>
              <td>{c.name}</td>
              <td>{c.settings.mode}</td>
              <td>
                {c.settings.calling_from}–{c.settings.calling_until}, {c.settings.max_attempts} attempts
              </td>
              <td>{c.settings.abandon_limit_pct}%</td>
              <td>
                <button type="button" onClick={() => setOpen(c)}>Leads</button>{" "}
                {canChange && <button type="button" onClick={() => setEditing(c)}>Edit</button>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {open && <Leads key={open.id} campaign={open} canChange={canChange} />}
    </section>
  );
}
