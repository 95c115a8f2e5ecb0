import { useState, type FormEvent } from "react";
import { api } from "../api/endpoints";
import type { Id, TaskInput } from "../api/types";
import { useMe } from "../auth/AuthContext";
import { ErrorBanner } from "../components/ErrorBanner";
import { describedBy, Field } from "../components/Field";
import { ResponsibleSelect } from "../components/ResponsibleSelect";
import { useSubmit } from "../components/useSubmit";
import { fromLocalInput, toLocalInput } from "../lib/format";
import { useReferenceData } from "../lib/ReferenceData";

const CLAIMED = ["title", "due_at", "responsible_id", "notes", "remind_at"];

function tomorrowMorning(): string {
  const d = new Date();
  d.setDate(d.getDate() + 1);
  d.setHours(10, 0, 0, 0);
  return toLocalInput(d);
}

export function TaskForm({ clientId, onAdded, onCancel }: { clientId?: Id; onAdded: () => void; onCancel: () => void }) {
  const me = useMe();
  const { users } = useReferenceData();
  const [form, setForm] = useState(() => ({ title: "", due_at: tomorrowMorning(), responsible: String(me.id), notes: "" }));
  const { busy, error, errorOf, run } = useSubmit();
  const set = (key: keyof typeof form, value: string) => setForm((f) => ({ ...f, [key]: value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const responsible = [...(users ?? []), me].find((u) => String(u.id) === form.responsible);
    const body: TaskInput = {
      client_id: clientId,
      title: form.title.trim(),
      due_at: fromLocalInput(form.due_at) ?? "",
      responsible_id: responsible?.id,
      notes: form.notes.trim() || undefined,
    };
    if (await run(() => api.addTask(body).then(() => undefined))) {
      setForm((f) => ({ ...f, title: "", notes: "" }));
      onAdded();
    }
  }

  return (
    <form className="inline-form" onSubmit={submit} noValidate data-testid="task-form">
      <ErrorBanner error={error} claimed={CLAIMED} />
      <div className="grid-2">
        <Field id="task-title" label="Title" field="title" error={errorOf("title")} className="span-2">
          <input id="task-title" value={form.title} required onChange={(e) => set("title", e.target.value)}
            {...describedBy("task-title", errorOf("title"))} />
        </Field>
        <Field id="task-due" label="Due" field="due_at" error={errorOf("due_at")}>
          <input id="task-due" type="datetime-local" value={form.due_at} onChange={(e) => set("due_at", e.target.value)}
            {...describedBy("task-due", errorOf("due_at"))} />
        </Field>
        <Field id="task-responsible" label="Responsible" field="responsible_id" error={errorOf("responsible_id")}>
          <ResponsibleSelect id="task-responsible" value={form.responsible} onChange={(v) => set("responsible", v)} />
        </Field>
        <Field id="task-notes" label="Notes" field="notes" error={errorOf("notes")} className="span-2">
          <textarea id="task-notes" rows={2} value={form.notes} onChange={(e) => set("notes", e.target.value)} />
        </Field>
      </div>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>Add task</button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
