import { ApiError } from "../api/http";
import { normaliseField } from "../lib/fieldErrors";

interface Props {
  error: unknown;
  /** Field paths the form shows beside their inputs; others are listed here. */
  claimed?: Iterable<string>;
}

/** The problem's title and detail, plus any field errors no input shows. */
export function ErrorBanner({ error, claimed = [] }: Props) {
  if (!error) return null;
  const set = new Set(claimed);
  let title = "Something went wrong";
  let detail: string | undefined;
  let loose: { field: string; message: string }[] = [];
  if (error instanceof ApiError) {
    title = error.problem.title || title;
    detail = error.problem.detail;
    loose = (error.problem.errors ?? []).filter((e) => !set.has(normaliseField(String(e.field))));
    if (error.problem.errors?.length) {
      // The fields say what is wrong; the banner only points at them.
      title = "Please correct the marked fields.";
      detail = undefined;
    }
  } else if (error instanceof Error) {
    detail = error.message;
  }
  return (
    <div className="banner error" role="alert" data-testid="error-banner">
      <strong>{title}</strong>
      {detail && <span> — {detail}</span>}
      {loose.length > 0 && (
        <ul>
          {loose.map((e, i) => (
            <li key={i} data-testid="field-error" data-field={normaliseField(String(e.field))}>
              <code>{e.field}</code>: {e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
