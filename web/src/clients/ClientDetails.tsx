import type { AttributeValue, Client } from "../api/types";
import { formatDate, formatDateTime, humanise } from "../lib/format";
import { useReferenceData } from "../lib/ReferenceData";

/** The client's stored details, read-only. */
export function ClientDetails({ client }: { client: Client }) {
  const { attributes: definitions } = useReferenceData();
  const defs = new Map(definitions.map((d) => [d.key, d]));
  const attributeEntries = Object.entries(client.attributes ?? {}).filter(([, v]) => v !== null && v !== "");

  return (
    <section className="card" aria-labelledby="details-title" data-testid="client-details">
      <h2 id="details-title">Details</h2>
      <dl className="details">
        <Row label="Kind">{client.kind === "legal" ? "Legal entity" : "Individual"}</Row>
        <Row label="Status">{client.status ? humanise(client.status) : null}</Row>
        <Row label="Responsible">{client.responsible_name}</Row>
        <Row label="Advertising source">{client.advertising_source}</Row>
        {client.kind === "legal" && <Row label="Legal name">{client.legal_name}</Row>}
        <Row label="Tax ID">{client.tax_id}</Row>
        {client.kind === "legal" && <Row label="Registration number">{client.registration_number}</Row>}
        {client.kind === "legal" && <Row label="Bank details">{client.bank_details ? <span className="pre">{client.bank_details}</span> : null}</Row>}
        <Row label="Phones">
          {client.phones?.length ? (
            <ul className="plain" data-testid="client-phones">
              {client.phones.map((p, i) => (
                <li key={String(p.id ?? i)}>
                  <a href={`tel:${p.e164 || p.number}`}>{p.number}</a>
                  {p.e164 && p.e164 !== p.number && <span className="muted small" data-testid="phone-e164"> {p.e164}</span>}
                  {p.kind && <span className="tag">{p.kind}</span>}
                </li>
              ))}
            </ul>
          ) : null}
        </Row>
        <Row label="E-mails">
          {client.emails?.length ? (
            <ul className="plain">
              {client.emails.map((e, i) => <li key={String(e.id ?? i)}><a href={`mailto:${e.address}`}>{e.address}</a></li>)}
            </ul>
          ) : null}
        </Row>
        <Row label="Addresses">
          {client.addresses?.length ? (
            <ul className="plain">
              {client.addresses.map((a, i) => (
                <li key={String(a.id ?? i)}><span className="tag">{humanise(a.kind)}</span> {a.text}</li>
              ))}
            </ul>
          ) : null}
        </Row>
        <Row label="Classifier">
          {client.classifier?.length ? (
            <ul className="plain" data-testid="client-classifier">
              {client.classifier.map((n) => <li key={String(n.id)}>{n.path || n.name}</li>)}
            </ul>
          ) : null}
        </Row>
        {attributeEntries.map(([key, value]) => (
          <Row key={key} label={defs.get(key)?.label ?? key}>{attributeText(value, defs.get(key)?.kind)}</Row>
        ))}
        <Row label="Notes">{client.notes ? <span className="pre">{client.notes}</span> : null}</Row>
        {client.external_id && <Row label="External ID">{client.external_id}</Row>}
        <Row label="Created">{formatDateTime(client.created_at)}</Row>
        <Row label="Updated">{formatDateTime(client.updated_at)}</Row>
      </dl>
    </section>
  );
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  const empty = children === null || children === undefined || children === "";
  return (
    <>
      <dt>{label}</dt>
      <dd>{empty ? <span className="muted">—</span> : children}</dd>
    </>
  );
}

function attributeText(value: AttributeValue, kind?: string): string {
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (kind === "date" && typeof value === "string") return formatDate(value);
  return String(value);
}
