import { useState } from "react";
import { errorFor, fieldErrorsOf, NO_ERRORS, type FieldErrors } from "../lib/fieldErrors";

/** Submit state of a small form: busy flag, the last error and its field errors. */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [errors, setErrors] = useState<FieldErrors>(NO_ERRORS);

  async function run(action: () => Promise<void>): Promise<boolean> {
    setBusy(true);
    setError(null);
    setErrors(NO_ERRORS);
    try {
      await action();
      return true;
    } catch (err) {
      setError(err);
      setErrors(fieldErrorsOf(err));
      return false;
    } finally {
      setBusy(false);
    }
  }

  return { busy, error, errors, run, errorOf: (field: string) => errorFor(errors, field) };
}
