import { describedBy, Field } from "../components/Field";
import type { ClientDraft } from "./clientDraft";

type Emails = ClientDraft["emails"];

interface Props {
  idPrefix: string;
  emails: Emails;
  onChange: (emails: Emails) => void;
  errorOf: (field: string) => string | undefined;
}

export function EmailListEditor({ idPrefix, emails, onChange, errorOf }: Props) {
  return (
    <fieldset className="rows">
      <legend>E-mails</legend>
      {emails.map((email, i) => {
        const id = `${idPrefix}-email-${i}`;
        const error = errorOf(`emails[${i}].address`) ?? errorOf(`emails[${i}]`);
        return (
          <div className="row" key={i}>
            <Field id={id} label={`E-mail ${i + 1}`} field={`emails[${i}].address`} error={error} className="grow">
              <input id={id} type="email" value={email.address}
                onChange={(e) => onChange(emails.map((x, j) => (j === i ? { address: e.target.value } : x)))}
                {...describedBy(id, error)} />
            </Field>
            <button type="button" className="icon-button" aria-label={`Remove e-mail ${i + 1}`}
              onClick={() => onChange(emails.filter((_, j) => j !== i))}>×</button>
          </div>
        );
      })}
      <button type="button" className="link-button" onClick={() => onChange([...emails, { address: "" }])}>
        + Add e-mail
      </button>
    </fieldset>
  );
}
