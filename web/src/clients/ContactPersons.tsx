import { useState } from "react";
import { api } from "../api/endpoints";
import type { ContactPerson, Id } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { ContactPersonForm } from "./ContactPersonForm";

interface Props {
  clientId: Id;
  persons: ContactPerson[];
  canWrite: boolean;
  onChanged: () => void;
}

export function ContactPersons({ clientId, persons, canWrite, onChanged }: Props) {
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function remove(person: ContactPerson) {
    if (!window.confirm(`Remove contact person ${person.name}?`)) return;
    setError(null);
    try {
      await api.deleteContactPerson(person.id);
      onChanged();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section className="card" aria-labelledby="cp-title" data-testid="contact-persons">
      <div className="section-head">
        <h2 id="cp-title">Contact persons</h2>
        {canWrite && !adding && <button type="button" onClick={() => setAdding(true)}>Add contact person</button>}
      </div>
      <ErrorBanner error={error} />
      {persons.length === 0 && <p className="muted">No contact persons yet.</p>}
      <ul className="person-list">
        {persons.map((p) => (
          <li key={String(p.id)} data-testid="contact-person">
            <div>
              <strong>{p.name}</strong>
              {p.position && <span className="muted"> · {p.position}</span>}
              <div className="small">
                {(p.phones ?? []).map((ph, i) => <span key={i} className="contact-bit">{ph.number}</span>)}
                {(p.emails ?? []).map((em, i) => <span key={i} className="contact-bit">{em.address}</span>)}
              </div>
              {p.notes && <div className="muted small">{p.notes}</div>}
            </div>
            {canWrite && (
              <button type="button" className="link-button danger" onClick={() => remove(p)} aria-label={`Remove ${p.name}`}>
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      {adding && (
        <ContactPersonForm clientId={clientId} onCancel={() => setAdding(false)}
          onAdded={() => {
            setAdding(false);
            onChanged();
          }} />
      )}
    </section>
  );
}
