// What the client form edits (all strings, rows kept as typed) and its
// conversion to the API body. Empty rows are not sent, so the server's
// indices ("phones[1].number") are mapped back to the rows on screen.
import type { AddressKind, AttributeDefinition, AttributeValue, Client, ClientInput, ClientKind, Id } from "../api/types";
import { normaliseField, type FieldErrors } from "../lib/fieldErrors";

export interface ClientDraft {
  kind: ClientKind;
  name: string;
  legal_name: string;
  tax_id: string;
  registration_number: string;
  bank_details: string;
  status: string;
  advertising_source: string;
  responsible_id: string;
  notes: string;
  phones: { number: string; kind: string }[];
  emails: { address: string }[];
  addresses: { kind: AddressKind; text: string }[];
  attributes: Record<string, string | boolean>;
  classifier: string[];
}

export function emptyDraft(): ClientDraft {
  return {
    kind: "individual",
    name: "",
    legal_name: "",
    tax_id: "",
    registration_number: "",
    bank_details: "",
    status: "lead",
    advertising_source: "",
    responsible_id: "",
    notes: "",
    phones: [{ number: "", kind: "" }],
    emails: [{ address: "" }],
    addresses: [],
    attributes: {},
    classifier: [],
  };
}

export function draftFromClient(c: Client): ClientDraft {
  const attributes: Record<string, string | boolean> = {};
  for (const [key, value] of Object.entries(c.attributes ?? {})) {
    if (value === null || value === undefined) continue;
    attributes[key] = typeof value === "boolean" ? value : String(value);
  }
  return {
    kind: c.kind,
    name: c.name ?? "",
    legal_name: c.legal_name ?? "",
    tax_id: c.tax_id ?? "",
    registration_number: c.registration_number ?? "",
    bank_details: c.bank_details ?? "",
    status: c.status ?? "",
    advertising_source: c.advertising_source ?? "",
    responsible_id: c.responsible_id === null || c.responsible_id === undefined ? "" : String(c.responsible_id),
    notes: c.notes ?? "",
    phones: (c.phones ?? []).map((p) => ({ number: p.number ?? "", kind: p.kind ?? "" })),
    emails: (c.emails ?? []).map((e) => ({ address: e.address ?? "" })),
    addresses: (c.addresses ?? []).map((a) => ({ kind: a.kind, text: a.text ?? "" })),
    attributes,
    classifier: (c.classifier ?? []).map((n) => String(n.id)),
  };
}

/** Which row on screen each sent row came from, per list. */
export interface RowMap {
  phones: number[];
  emails: number[];
  addresses: number[];
}

/** Resolves an id typed as string back to the id the server gave (numbers stay numbers). */
export type IdResolver = (value: string) => Id;

export const defaultResolver: IdResolver = (value) => (/^\d+$/.test(value) ? Number(value) : value);

export function toInput(
  draft: ClientDraft,
  definitions: AttributeDefinition[],
  resolveId: IdResolver = defaultResolver,
): { body: ClientInput; rows: RowMap } {
  const rows: RowMap = { phones: [], emails: [], addresses: [] };
  const phones: ClientInput["phones"] = [];
  draft.phones.forEach((p, i) => {
    if (!p.number.trim()) return;
    rows.phones.push(i);
    phones.push(p.kind ? { number: p.number.trim(), kind: p.kind } : { number: p.number.trim() });
  });
  const emails: ClientInput["emails"] = [];
  draft.emails.forEach((e, i) => {
    if (!e.address.trim()) return;
    rows.emails.push(i);
    emails.push({ address: e.address.trim() });
  });
  const addresses: ClientInput["addresses"] = [];
  draft.addresses.forEach((a, i) => {
    if (!a.text.trim()) return;
    rows.addresses.push(i);
    addresses.push({ kind: a.kind, text: a.text.trim() });
  });

  const opt = (s: string) => (s.trim() ? s.trim() : null);
  const body: ClientInput = {
    kind: draft.kind,
    name: draft.name.trim(),
    legal_name: opt(draft.legal_name),
    tax_id: opt(draft.tax_id),
    registration_number: opt(draft.registration_number),
    bank_details: opt(draft.bank_details),
    status: opt(draft.status),
    advertising_source: opt(draft.advertising_source),
    notes: opt(draft.notes),
    addresses,
    phones,
    emails,
    attributes: attributeValues(draft.attributes, definitions),
    classifier: draft.classifier.map(resolveId),
  };
  if (draft.responsible_id) body.responsible_id = resolveId(draft.responsible_id);
  return { body, rows };
}

function attributeValues(values: ClientDraft["attributes"], definitions: AttributeDefinition[]): Record<string, AttributeValue> {
  const kinds = new Map(definitions.map((d) => [d.key, d.kind]));
  const out: Record<string, AttributeValue> = {};
  for (const [key, raw] of Object.entries(values)) {
    const kind = kinds.get(key);
    if (kind === "boolean") {
      out[key] = raw === true || raw === "true";
      continue;
    }
    const text = typeof raw === "string" ? raw.trim() : String(raw);
    if (!text) continue;
    if (kind === "number") {
      const n = Number(text);
      out[key] = Number.isFinite(n) ? n : text; // the server names the field if it is not a number
    } else {
      out[key] = text;
    }
  }
  return out;
}

/** Rewrites "phones[1].number" (index of the sent list) to the index of the row on screen. */
export function mapErrorsToRows(errors: FieldErrors, rows: RowMap): FieldErrors {
  const out = new Map<string, string[]>();
  for (const [field, messages] of errors) {
    const key = normaliseField(field).replace(/^(phones|emails|addresses)\[(\d+)\]/, (whole, list: keyof RowMap, index: string) => {
      const row = rows[list][Number(index)];
      return row === undefined ? whole : `${list}[${row}]`;
    });
    out.set(key, [...(out.get(key) ?? []), ...messages]);
  }
  return out;
}
