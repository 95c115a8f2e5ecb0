import { useState, type FormEvent } from "react";
import { api } from "../api/endpoints";
import type { Id } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { describedBy, Field } from "../components/Field";
import { useSubmit } from "../components/useSubmit";

const EMPTY = { name: "", position: "", phone: "", email: "", notes: "" };
const CLAIMED = ["name", "position", "notes", "phones[0].number", "phones[0]", "emails[0].address", "emails[0]"];

export function ContactPersonForm({ clientId, onAdded, onCancel }: { clientId: Id; onAdded: () => void; onCancel: () => void }) {
  const [form, setForm] = useState(EMPTY);
  const { busy, error, errorOf, run } = useSubmit();
  const set = (key: keyof typeof EMPTY) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const ok = await run(async () => {
      await api.addContactPerson(clientId, {
        name: form.name.trim(),
        position: form.position.trim() || undefined,
        phones: form.phone.trim() ? [{ number: form.phone.trim() }] : [],
        emails: form.email.trim() ? [{ address: form.email.trim() }] : [],
        notes: form.notes.trim() || undefined,
      });
    });
    if (ok) {
      setForm(EMPTY);
      onAdded();
    }
  }

  const phoneError = errorOf("phones[0].number") ?? errorOf("phones[0]");
  const emailError = errorOf("emails[0].address") ?? errorOf("emails[0]");
  return (
    <form className="inline-form" onSubmit={submit} noValidate data-testid="contact-person-form">
      <ErrorBanner error={error} claimed={CLAIMED} />
      <div className="grid-2">
        <Field id="cp-name" label="Name" field="name" error={errorOf("name")}>
          <input id="cp-name" value={form.name} onChange={set("name")} required {...describedBy("cp-name", errorOf("name"))} />
        </Field>
        <Field id="cp-position" label="Position" field="position" error={errorOf("position")}>
          <input id="cp-position" value={form.position} onChange={set("position")} />
        </Field>
        <Field id="cp-phone" label="Phone" field="phones[0].number" error={phoneError}>
          <input id="cp-phone" type="tel" value={form.phone} onChange={set("phone")} {...describedBy("cp-phone", phoneError)} />
        </Field>
        <Field id="cp-email" label="E-mail" field="emails[0].address" error={emailError}>
          <input id="cp-email" type="email" value={form.email} onChange={set("email")} {...describedBy("cp-email", emailError)} />
        </Field>
        <Field id="cp-notes" label="Notes" field="notes" error={errorOf("notes")} className="span-2">
          <input id="cp-notes" value={form.notes} onChange={set("notes")} />
        </Field>
      </div>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>Add contact person</button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
