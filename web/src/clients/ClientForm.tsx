// The client form, for a new client and for editing one. What the user typed
// stays on screen whatever the server answers; field errors show beside the
// fields, others in a banner. With `draftKey` the draft also survives a reload.
import { useEffect, useMemo, useState, type FormEvent } from "react";
import type { ClientInput, ClientKind, Id } from "../api/types";
import { ClassifierTree } from "../components/ClassifierTree";
import { ErrorBanner } from "../components/ErrorBanner";
import { describedBy, Field } from "../components/Field";
import { ResponsibleSelect } from "../components/ResponsibleSelect";
import { errorFor, fieldErrorsOf, NO_ERRORS, type FieldErrors } from "../lib/fieldErrors";
import { useReferenceData } from "../lib/ReferenceData";
import { useMe } from "../auth/AuthContext";
import { AddressListEditor } from "./AddressListEditor";
import { AttributeFields } from "./AttributeFields";
import { type ClientDraft, mapErrorsToRows, toInput } from "./clientDraft";
import { EmailListEditor } from "./EmailListEditor";
import { PhoneListEditor } from "./PhoneListEditor";
import { STATUS_SUGGESTIONS } from "./statuses";

interface Props {
  initial: ClientDraft;
  submitLabel: string;
  onSubmit: (body: ClientInput) => Promise<void>;
  onCancel?: () => void;
  /** sessionStorage key that keeps an unsent draft across reloads. */
  draftKey?: string;
  idPrefix?: string;
  current?: { id: Id | null; name: string | null };
}

export function ClientForm({ initial, submitLabel, onSubmit, onCancel, draftKey, idPrefix = "client", current }: Props) {
  const me = useMe();
  const { attributes: definitions, classifier, users } = useReferenceData();
  const [draft, setDraft] = useState<ClientDraft>(() => restore(draftKey) ?? initial);
  const [error, setError] = useState<unknown>(null);
  const [errors, setErrors] = useState<FieldErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (draftKey) sessionStorage.setItem(draftKey, JSON.stringify(draft));
  }, [draftKey, draft]);

  const resolveId = useMemo(() => {
    const known = new Map<string, Id>();
    for (const n of classifier) known.set(String(n.id), n.id);
    for (const u of users ?? []) known.set(String(u.id), u.id);
    known.set(String(me.id), me.id);
    if (current?.id !== null && current?.id !== undefined) known.set(String(current.id), current.id);
    return (value: string): Id => known.get(value) ?? (/^\d+$/.test(value) ? Number(value) : value);
  }, [classifier, users, me, current]);

  const errorOf = (field: string) => errorFor(errors, field);
  const claimed = claimedFields(draft, definitions.map((d) => d.key));
  const set = <K extends keyof ClientDraft>(key: K, value: ClientDraft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const p = idPrefix;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const { body, rows } = toInput(draft, definitions, resolveId);
    setBusy(true);
    setError(null);
    setErrors(NO_ERRORS);
    try {
      await onSubmit(body);
      if (draftKey) sessionStorage.removeItem(draftKey);
    } catch (err) {
      setError(err);
      setErrors(mapErrorsToRows(fieldErrorsOf(err), rows));
    } finally {
      setBusy(false);
    }
  }

  const text = (key: "name" | "legal_name" | "tax_id" | "registration_number" | "advertising_source", label: string, extra: object = {}) => {
    const id = `${p}-${key.replace(/_/g, "-")}`;
    const err = errorOf(key);
    return (
      <Field id={id} label={label} field={key} error={err}>
        <input id={id} value={draft[key]} onChange={(e) => set(key, e.target.value)} {...describedBy(id, err)} {...extra} />
      </Field>
    );
  };

  const body = (
    <>
      <fieldset className="grid-2">
        <legend>Client</legend>
        <div className="field">
          <span className="label" id={`${p}-kind-label`}>Kind</span>
          <div className="segmented" role="radiogroup" aria-labelledby={`${p}-kind-label`}>
            {(["individual", "legal"] as ClientKind[]).map((k) => (
              <label key={k} htmlFor={`${p}-kind-${k}`}>
                <input type="radio" id={`${p}-kind-${k}`} name={`${p}-kind`} value={k} checked={draft.kind === k}
                  onChange={() => set("kind", k)} />
                {k === "legal" ? "Legal entity" : "Individual"}
              </label>
            ))}
          </div>
          {errorOf("kind") && <p className="field-error" data-testid="field-error" data-field="kind">{errorOf("kind")}</p>}
        </div>
        {text("name", draft.kind === "legal" ? "Company name" : "Full name", { required: true, autoComplete: "off" })}
        <Field id={`${p}-status`} label="Status" field="status" error={errorOf("status")}>
          <input id={`${p}-status`} list={`${p}-status-list`} value={draft.status}
            onChange={(e) => set("status", e.target.value)} {...describedBy(`${p}-status`, errorOf("status"))} />
          <datalist id={`${p}-status-list`}>{STATUS_SUGGESTIONS.map((s) => <option key={s} value={s} />)}</datalist>
        </Field>
        {text("advertising_source", "Advertising source")}
        <Field id={`${p}-responsible`} label="Responsible" field="responsible_id" error={errorOf("responsible_id")}>
          <ResponsibleSelect id={`${p}-responsible`} value={draft.responsible_id} current={current}
            emptyLabel="— (me by default)" onChange={(v) => set("responsible_id", v)} invalid={!!errorOf("responsible_id")} />
        </Field>
        {text("tax_id", "Tax ID")}
      </fieldset>

      {draft.kind === "legal" && (
        <fieldset className="grid-2">
          <legend>Legal details</legend>
          {text("legal_name", "Legal name")}
          {text("registration_number", "Registration number")}
          <Field id={`${p}-bank-details`} label="Bank details" field="bank_details" error={errorOf("bank_details")} className="span-2">
            <textarea id={`${p}-bank-details`} rows={2} value={draft.bank_details}
              onChange={(e) => set("bank_details", e.target.value)} {...describedBy(`${p}-bank-details`, errorOf("bank_details"))} />
          </Field>
        </fieldset>
      )}

      <div className="grid-2">
        <PhoneListEditor idPrefix={p} phones={draft.phones} onChange={(v) => set("phones", v)} errorOf={errorOf} />
        <EmailListEditor idPrefix={p} emails={draft.emails} onChange={(v) => set("emails", v)} errorOf={errorOf} />
      </div>
      <AddressListEditor idPrefix={p} addresses={draft.addresses} onChange={(v) => set("addresses", v)} errorOf={errorOf} />
      <AttributeFields idPrefix={p} definitions={definitions} values={draft.attributes}
        onChange={(v) => set("attributes", v)} errorOf={errorOf} />

      {classifier.length > 0 && (
        <fieldset>
          <legend>Classifier</legend>
          <ClassifierTree nodes={classifier} mode="pick" idPrefix={`${p}-node`} selected={new Set(draft.classifier)}
            onSelect={(id) => set("classifier", draft.classifier.includes(id)
              ? draft.classifier.filter((x) => x !== id) : [...draft.classifier, id])} />
          {errorOf("classifier") && <p className="field-error" data-testid="field-error" data-field="classifier">{errorOf("classifier")}</p>}
        </fieldset>
      )}

      <Field id={`${p}-notes`} label="Notes" field="notes" error={errorOf("notes")}>
        <textarea id={`${p}-notes`} rows={3} value={draft.notes} onChange={(e) => set("notes", e.target.value)} />
      </Field>
    </>
  );

  return (
    <form className="client-form" onSubmit={submit} noValidate data-testid="client-form">
      <ErrorBanner error={error} claimed={claimed} />
      {body}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>{busy ? "Saving…" : submitLabel}</button>
        {onCancel && <button type="button" onClick={onCancel}>Cancel</button>}
      </div>
    </form>
  );
}

const TOP_FIELDS = ["kind", "name", "legal_name", "tax_id", "registration_number", "bank_details", "status",
  "advertising_source", "responsible_id", "notes", "classifier"];

/** Every field path this form shows an error beside (the rest go to the banner). */
function claimedFields(draft: ClientDraft, attributeKeys: string[]): string[] {
  const legalOnly = ["legal_name", "registration_number", "bank_details"];
  const out = TOP_FIELDS.filter((f) => draft.kind === "legal" || !legalOnly.includes(f));
  draft.phones.forEach((_, i) => out.push(`phones[${i}]`, `phones[${i}].number`, `phones[${i}].kind`));
  draft.emails.forEach((_, i) => out.push(`emails[${i}]`, `emails[${i}].address`));
  draft.addresses.forEach((_, i) => out.push(`addresses[${i}]`, `addresses[${i}].text`, `addresses[${i}].kind`));
  attributeKeys.forEach((k) => out.push(`attributes.${k}`, `attributes[${k}]`));
  return out;
}

function restore(key?: string): ClientDraft | null {
  if (!key) return null;
  try {
    const saved = sessionStorage.getItem(key);
    return saved ? (JSON.parse(saved) as ClientDraft) : null;
  } catch {
    return null;
  }
}
