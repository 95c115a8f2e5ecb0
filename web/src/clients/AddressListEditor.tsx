import type { AddressKind } from "../api/types";
import { describedBy, Field } from "../components/Field";
import { humanise } from "../lib/format";
import type { ClientDraft } from "./clientDraft";
import { ADDRESS_KINDS } from "./statuses";

type Addresses = ClientDraft["addresses"];

interface Props {
  idPrefix: string;
  addresses: Addresses;
  onChange: (addresses: Addresses) => void;
  errorOf: (field: string) => string | undefined;
}

export function AddressListEditor({ idPrefix, addresses, onChange, errorOf }: Props) {
  const set = (i: number, patch: Partial<Addresses[number]>) =>
    onChange(addresses.map((a, j) => (j === i ? { ...a, ...patch } : a)));
  return (
    <fieldset className="rows">
      <legend>Addresses</legend>
      {addresses.map((address, i) => {
        const id = `${idPrefix}-address-${i}`;
        const error = errorOf(`addresses[${i}].text`) ?? errorOf(`addresses[${i}]`);
        return (
          <div className="row" key={i}>
            <Field id={`${id}-kind`} label="Type" field={`addresses[${i}].kind`} error={errorOf(`addresses[${i}].kind`)}>
              <select id={`${id}-kind`} value={address.kind} onChange={(e) => set(i, { kind: e.target.value as AddressKind })}>
                {ADDRESS_KINDS.map((k) => <option key={k} value={k}>{humanise(k)}</option>)}
              </select>
            </Field>
            <Field id={id} label={`Address ${i + 1}`} field={`addresses[${i}].text`} error={error} className="grow">
              <input id={id} value={address.text} onChange={(e) => set(i, { text: e.target.value })} {...describedBy(id, error)} />
            </Field>
            <button type="button" className="icon-button" aria-label={`Remove address ${i + 1}`}
              onClick={() => onChange(addresses.filter((_, j) => j !== i))}>×</button>
          </div>
        );
      })}
      <button type="button" className="link-button"
        onClick={() => onChange([...addresses, { kind: addresses.length ? "postal" : "legal", text: "" }])}>
        + Add address
      </button>
    </fieldset>
  );
}
