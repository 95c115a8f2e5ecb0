import type { ReactNode } from "react";

interface Props {
  /** The id of the input inside, for <label for>. */
  id: string;
  label: string;
  /** The server's field path, so tests and styles can find the error. */
  field?: string;
  error?: string;
  hint?: string;
  className?: string;
  children: ReactNode;
}

/** A labelled input with the server's error for that field beneath it. */
export function Field({ id, label, field, error, hint, className, children }: Props) {
  return (
    <div className={`field${error ? " has-error" : ""}${className ? ` ${className}` : ""}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && !error && <small className="muted">{hint}</small>}
      {error && (
        <p className="field-error" id={`${id}-error`} data-testid="field-error" data-field={field ?? id}>
          {error}
        </p>
      )}
    </div>
  );
}

/** Props that tie an input to its Field's error message. */
export function describedBy(id: string, error?: string) {
  return error ? { "aria-invalid": true as const, "aria-describedby": `${id}-error` } : {};
}
