import { useState, type FormEvent } from "react";
import { api } from "../api/endpoints";
import {
  CHANNELS, DIRECTIONS, INTERACTION_STATES, INTERACTION_STATUSES, INTERACTION_TYPES, PRIORITIES,
  type ContactPerson, type Id, type InteractionInput,
} from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { describedBy, Field } from "../components/Field";
import { useSubmit } from "../components/useSubmit";
import { fromLocalInput, humanise, toLocalInput } from "../lib/format";

function blank() {
  return {
    channel: "call" as InteractionInput["channel"],
    direction: "in" as InteractionInput["direction"],
    started_at: toLocalInput(new Date()),
    duration_min: "",
    priority: "medium" as InteractionInput["priority"],
    type: "consultation" as InteractionInput["type"],
    state: "done" as InteractionInput["state"],
    status: "held" as InteractionInput["status"],
    contact_person_id: "",
    result: "",
    notes: "",
  };
}

const SELECTS = [
  ["channel", "Channel", CHANNELS],
  ["direction", "Direction", DIRECTIONS],
  ["priority", "Priority", PRIORITIES],
  ["type", "Type", INTERACTION_TYPES],
  ["state", "State", INTERACTION_STATES],
  ["status", "Status", INTERACTION_STATUSES],
] as const;

const CLAIMED = ["channel", "direction", "priority", "type", "state", "status", "started_at", "duration_s",
  "contact_person_id", "result", "notes"];

interface Props {
  clientId: Id;
  persons: ContactPerson[];
  onAdded: () => void;
  onCancel: () => void;
}

export function InteractionForm({ clientId, persons, onAdded, onCancel }: Props) {
  const [form, setForm] = useState(blank);
  const { busy, error, errorOf, run } = useSubmit();
  const set = (key: keyof ReturnType<typeof blank>, value: string) => setForm((f) => ({ ...f, [key]: value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const minutes = form.duration_min.trim() === "" ? undefined : Number(form.duration_min);
    const person = persons.find((p) => String(p.id) === form.contact_person_id);
    const body: InteractionInput = {
      client_id: clientId,
      channel: form.channel,
      direction: form.direction,
      started_at: fromLocalInput(form.started_at),
      duration_s: minutes === undefined || Number.isNaN(minutes) ? undefined : Math.round(minutes * 60),
      priority: form.priority,
      type: form.type,
      state: form.state,
      status: form.status,
      contact_person_id: person?.id,
      result: form.result.trim() || undefined,
      notes: form.notes.trim() || undefined,
    };
    if (await run(() => api.addInteraction(body).then(() => undefined))) {
      setForm(blank());
      onAdded();
    }
  }

  return (
    <form className="inline-form" onSubmit={submit} noValidate data-testid="interaction-form">
      <ErrorBanner error={error} claimed={CLAIMED} />
      <div className="grid-3">
        {SELECTS.map(([key, label, values]) => (
          <Field key={key} id={`ia-${key}`} label={label} field={key} error={errorOf(key)}>
            <select id={`ia-${key}`} value={form[key]} onChange={(e) => set(key, e.target.value)} {...describedBy(`ia-${key}`, errorOf(key))}>
              {values.map((v) => <option key={v} value={v}>{humanise(v)}</option>)}
            </select>
          </Field>
        ))}
        <Field id="ia-started-at" label="Start" field="started_at" error={errorOf("started_at")}>
          <input id="ia-started-at" type="datetime-local" value={form.started_at}
            onChange={(e) => set("started_at", e.target.value)} {...describedBy("ia-started-at", errorOf("started_at"))} />
        </Field>
        <Field id="ia-duration" label="Duration (minutes)" field="duration_s" error={errorOf("duration_s")}>
          <input id="ia-duration" type="number" min="0" step="any" value={form.duration_min}
            onChange={(e) => set("duration_min", e.target.value)} {...describedBy("ia-duration", errorOf("duration_s"))} />
        </Field>
        <Field id="ia-contact-person" label="Contact person" field="contact_person_id" error={errorOf("contact_person_id")}>
          <select id="ia-contact-person" value={form.contact_person_id} onChange={(e) => set("contact_person_id", e.target.value)}>
            <option value="">—</option>
            {persons.map((p) => <option key={String(p.id)} value={String(p.id)}>{p.name}</option>)}
          </select>
        </Field>
        <Field id="ia-result" label="Result" field="result" error={errorOf("result")} className="span-3">
          <input id="ia-result" value={form.result} onChange={(e) => set("result", e.target.value)} />
        </Field>
        <Field id="ia-notes" label="Notes" field="notes" error={errorOf("notes")} className="span-3">
          <textarea id="ia-notes" rows={3} value={form.notes} onChange={(e) => set("notes", e.target.value)} />
        </Field>
      </div>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>Save interaction</button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
