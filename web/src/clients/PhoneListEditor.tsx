import { describedBy, Field } from "../components/Field";
import type { ClientDraft } from "./clientDraft";

type Phones = ClientDraft["phones"];
const PHONE_KINDS = ["", "mobile", "work", "home", "fax", "other"];

interface Props {
  idPrefix: string;
  phones: Phones;
  onChange: (phones: Phones) => void;
  /** The error for a server field path ("phones[0].number"), if any. */
  errorOf: (field: string) => string | undefined;
}

/** Phone rows as typed; the server parses them to E.164 and names any it cannot. */
export function PhoneListEditor({ idPrefix, phones, onChange, errorOf }: Props) {
  const set = (i: number, patch: Partial<Phones[number]>) =>
    onChange(phones.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  return (
    <fieldset className="rows">
      <legend>Phones</legend>
      {phones.map((phone, i) => {
        const id = `${idPrefix}-phone-${i}`;
        const error = errorOf(`phones[${i}].number`) ?? errorOf(`phones[${i}]`);
        return (
          <div className="row" key={i} data-testid="phone-row">
            <Field id={id} label={`Phone ${i + 1}`} field={`phones[${i}].number`} error={error} className="grow">
              <input id={id} type="tel" value={phone.number} placeholder="Any format, e.g. 020 7946 0958"
                onChange={(e) => set(i, { number: e.target.value })} {...describedBy(id, error)} />
            </Field>
            <Field id={`${id}-kind`} label="Type" field={`phones[${i}].kind`} error={errorOf(`phones[${i}].kind`)}>
              <select id={`${id}-kind`} value={phone.kind} onChange={(e) => set(i, { kind: e.target.value })}>
                {PHONE_KINDS.map((k) => <option key={k} value={k}>{k ? k[0].toUpperCase() + k.slice(1) : "—"}</option>)}
              </select>
            </Field>
            <button type="button" className="icon-button" aria-label={`Remove phone ${i + 1}`}
              onClick={() => onChange(phones.filter((_, j) => j !== i))}>×</button>
          </div>
        );
      })}
      <button type="button" className="link-button" onClick={() => onChange([...phones, { number: "", kind: "" }])}>
        + Add phone
      </button>
    </fieldset>
  );
}
