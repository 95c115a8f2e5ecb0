import type { AttributeDefinition } from "../api/types";
import { describedBy, Field } from "../components/Field";
import type { ClientDraft } from "./clientDraft";

type Values = ClientDraft["attributes"];

interface Props {
  idPrefix: string;
  definitions: AttributeDefinition[];
  values: Values;
  onChange: (values: Values) => void;
  errorOf: (field: string) => string | undefined;
}

/** One input per user-defined attribute, by its kind. */
export function AttributeFields({ idPrefix, definitions, values, onChange, errorOf }: Props) {
  if (!definitions.length) return null;
  const set = (key: string, value: string | boolean) => onChange({ ...values, [key]: value });
  return (
    <fieldset className="grid-2">
      <legend>Attributes</legend>
      {definitions.map((def) => {
        const id = `${idPrefix}-attr-${def.key}`;
        const field = `attributes.${def.key}`;
        const error = errorOf(field) ?? errorOf(`attributes[${def.key}]`);
        const raw = values[def.key];
        const text = typeof raw === "string" ? raw : "";
        if (def.kind === "boolean") {
          return (
            <div className={`field checkbox-field${error ? " has-error" : ""}`} key={def.key}>
              <label htmlFor={id}>
                <input id={id} type="checkbox" checked={raw === true || raw === "true"}
                  onChange={(e) => set(def.key, e.target.checked)} {...describedBy(id, error)} /> {def.label}
              </label>
              {error && <p className="field-error" id={`${id}-error`} data-testid="field-error" data-field={field}>{error}</p>}
            </div>
          );
        }
        return (
          <Field key={def.key} id={id} label={def.label} field={field} error={error}>
            {def.kind === "choice" ? (
              <select id={id} value={text} onChange={(e) => set(def.key, e.target.value)} {...describedBy(id, error)}>
                <option value="">—</option>
                {(def.choices ?? []).map((c) => <option key={c} value={c}>{c}</option>)}
                {text && !(def.choices ?? []).includes(text) && <option value={text}>{text}</option>}
              </select>
            ) : (
              <input id={id} value={text} onChange={(e) => set(def.key, e.target.value)}
                type={def.kind === "number" ? "number" : def.kind === "date" ? "date" : "text"}
                step={def.kind === "number" ? "any" : undefined} {...describedBy(id, error)} />
            )}
          </Field>
        );
      })}
    </fieldset>
  );
}
