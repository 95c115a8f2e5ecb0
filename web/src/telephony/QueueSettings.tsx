// Queue settings for admins: the queues kept in the database (created,
// changed and deleted here) beside those of the dialplan files (shown,
// changed in the files). The server checks a queue as it checks a dialplan
// table and says which setting is wrong.
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api } from "../api/endpoints";
import type { QueueEntry, QueueSettings as Settings } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { Field } from "../components/Field";
import { useSubmit } from "../components/useSubmit";

/** The fields the form shows errors beside. */
const CLAIMED = ["name", "strategy", "ring_timeout", "wrap_up", "max_wait", "overflow", "service_level", "results", "needs", "priority_by_status", "announce_every"];

const STRATEGIES = ["longest-idle", "round-robin", "ring-all", "fewest-calls", "skills"];

/** "german=60, english=40" ⇄ { german: 60, english: 40 }. */
export function parseLevels(text: string): Record<string, number> {
  const levels: Record<string, number> = {};
  for (const part of text.split(",")) {
    const [name, level] = part.split("=").map((s) => s.trim());
    if (name) levels[name] = Number(level);
  }
  return levels;
}

export function formatLevels(levels: Record<string, number> | undefined): string {
  return Object.entries(levels ?? {})
    .map(([name, level]) => `${name}=${level}`)
    .join(", ");
}

interface Draft {
  name: string;
  strategy: string;
  ring_timeout: string;
  wrap_up: string;
  max_wait: string;
  overflow: string;
  service_level: string;
  results: string;
  needs: string;
  priority_by_status: string;
  announce_every: string;
  record: boolean;
}

function draftOf(queue: QueueEntry | null): Draft {
  const s = queue?.settings ?? {};
  return {
    name: queue?.name ?? "",
    strategy: s.strategy ?? "longest-idle",
    ring_timeout: String(s.ring_timeout ?? 15),
    wrap_up: String(s.wrap_up ?? 30),
    max_wait: s.max_wait == null ? "" : String(s.max_wait),
    overflow: s.overflow ?? "",
    service_level: String(s.service_level ?? 20),
    results: (s.results ?? []).join(", "),
    needs: formatLevels(s.needs),
    priority_by_status: formatLevels(s.priority_by_status),
    announce_every: s.announce_every == null ? "" : String(s.announce_every),
    record: s.record ?? false,
  };
}

function settingsOf(d: Draft): Settings {
  const settings: Settings = {
    strategy: d.strategy,
    ring_timeout: Number(d.ring_timeout),
    wrap_up: Number(d.wrap_up),
    service_level: Number(d.service_level),
    record: d.record,
  };
  if (d.max_wait.trim()) settings.max_wait = Number(d.max_wait);
  if (d.overflow.trim()) settings.overflow = d.overflow.trim();
  const results = d.results.split(",").map((r) => r.trim()).filter(Boolean);
  if (results.length) settings.results = results;
  if (d.needs.trim()) settings.needs = parseLevels(d.needs);
  if (d.priority_by_status.trim()) settings.priority_by_status = parseLevels(d.priority_by_status);
  if (d.announce_every.trim()) settings.announce_every = Number(d.announce_every);
  return settings;
}

function QueueForm({ queue, onSaved, onCancel }: { queue: QueueEntry | null; onSaved: () => void; onCancel: () => void }) {
  const [draft, setDraft] = useState(() => draftOf(queue));
  const { busy, error, run, errorOf } = useSubmit();
  const set = (key: keyof Draft) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [key]: e.target.value }));

  async function save(event: FormEvent) {
    event.preventDefault();
    if (await run(async () => void (await api.putQueue(draft.name.trim(), settingsOf(draft))))) onSaved();
  }

  const field = (key: keyof Draft, label: string, hint?: string) => (
    <Field id={`queue-${key}`} label={label} field={key} error={errorOf(key)} hint={hint}>
      <input id={`queue-${key}`} value={String(draft[key])} onChange={set(key)} />
    </Field>
  );
  return (
    <form className="card" onSubmit={(e) => void save(e)} aria-label="Queue settings" data-testid="queue-form">
      <ErrorBanner error={error} claimed={CLAIMED} />
      {queue ? <h3>{queue.name}</h3> : field("name", "Name")}
      <Field id="queue-strategy" label="Strategy" field="strategy" error={errorOf("strategy")}>
        <select id="queue-strategy" value={draft.strategy} onChange={set("strategy")}>
          {STRATEGIES.map((s) => <option key={s}>{s}</option>)}
        </select>
      </Field>
      {field("ring_timeout", "Ring timeout (s)")}
      {field("wrap_up", "Wrap-up (s)")}
      {field("max_wait", "Longest wait (s)", "empty: no limit")}
      {field("overflow", "Overflow", "hangup, or queue:NAME")}
      {field("service_level", "Service level (s)")}
      {field("results", "Wrap-up results", "comma-separated")}
      {field("needs", "Skills needed", "german=60, english=40")}
      {field("priority_by_status", "Priority by client status", "vip=10")}
      {field("announce_every", "Announce place and wait every (s)", "empty: never")}
      <label className="agent-queue">
        <input type="checkbox" checked={draft.record} onChange={(e) => setDraft((d) => ({ ...d, record: e.target.checked }))} />
        Record calls
      </label>
      <div className="agent-actions">
        <button type="submit" className="primary" disabled={busy}>Save queue</button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

export function QueueSettings({ canChange }: { canChange: boolean }) {
  const [queues, setQueues] = useState<QueueEntry[]>([]);
  const [editing, setEditing] = useState<QueueEntry | "new" | null>(null);
  const [error, setError] = useState<unknown>();

  const load = useCallback(() => {
    api.queues().then(
      (list) => {
        setQueues(list.items);
        setError(undefined);
      },
      setError,
    );
  }, []);
  useEffect(load, [load]);

  async function remove(name: string) {
    try {
      await api.deleteQueue(name);
      load();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <div className="card" data-testid="queue-settings">
      <div className="section-head">
        <h2>Queue settings</h2>
        {canChange && editing === null && <button type="button" onClick={() => setEditing("new")}>New queue</button>}
      </div>
      <ErrorBanner error={error} />
      {editing !== null && (
        <QueueForm
          key={editing === "new" ? "new" : editing.name}
          queue={editing === "new" ? null : editing}
          onCancel={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            load();
          }}
        />
      )}
      <table className="table">
        <thead>
          <tr>
            <th>Queue</th>
            <th>Strategy</th>
            <th>Results</th>
            <th>Kept in</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {queues.map((q) => (
            <tr key={q.name} data-queue-settings={q.name}>
              <td>{q.name}</td>
              <td>{q.settings?.strategy ?? (q.source === "file" ? "" : "longest-idle")}</td>
              <td>{(q.settings?.results ?? []).join(", ")}</td>
              <td>{q.source === "file" ? "dialplan file" : "database"}</td>
              <td>
                {canChange && q.source === "database" && (
                  <>
                    <button type="button" onClick={() => setEditing(q)}>Edit</button>{" "}
                    <button type="button" onClick={() => void remove(q.name)}>Delete</button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
