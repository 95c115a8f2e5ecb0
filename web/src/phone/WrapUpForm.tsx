// The agent's wrap-up after a queue call: the result (from the queue's
// list), notes and, when something is left to do, a follow-up task. Saving
// puts it on the call's record and the client's contact history, then makes
// the agent available again.
import { useState, type FormEvent } from "react";
import { api } from "../api/endpoints";
import type { CallOffered, CallRecord } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { Field, describedBy } from "../components/Field";
import { useSubmit } from "../components/useSubmit";

/** The call's record is written as the call ends; a save this soon after
 * may come before it, so its lookup is tried again for a while. */
const FIND_TRIES = 10;
const FIND_PAUSE_MS = 500;

async function findRecord(callId: string): Promise<CallRecord> {
  for (let attempt = 1; ; attempt++) {
    const page = await api.callByKey(callId);
    if (page.items[0]) return page.items[0];
    if (attempt >= FIND_TRIES) throw new Error("The call's record is not stored yet; try again in a moment.");
    await new Promise((resolve) => window.setTimeout(resolve, FIND_PAUSE_MS));
  }
}

/** Tomorrow at 10:00 local time, as a datetime-local input's value. */
function tomorrowMorning(): string {
  const at = new Date();
  at.setDate(at.getDate() + 1);
  at.setHours(10, 0, 0, 0);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

interface Props {
  offer: CallOffered;
  /** Whether the agent is in wrap-up now (saving then makes them ready). */
  inWrapUp: boolean;
  onDone: () => void;
}

export function WrapUpForm({ offer, inWrapUp, onDone }: Props) {
  const [result, setResult] = useState(offer.results[0] ?? "");
  const [notes, setNotes] = useState("");
  const [followUp, setFollowUp] = useState(false);
  const who = offer.card?.client.name ?? offer.caller_name ?? offer.caller_e164 ?? offer.caller;
  const [title, setTitle] = useState(`Call back ${who}`);
  const [due, setDue] = useState(tomorrowMorning);
  const { busy, error, run, errorOf } = useSubmit();

  async function save(event: FormEvent) {
    event.preventDefault();
    const saved = await run(async () => {
      const record = await findRecord(offer.call_id);
      await api.wrapUp(record.id, {
        result,
        notes: notes.trim() || undefined,
        follow_up: followUp ? { title, due_at: new Date(due).toISOString() } : undefined,
      });
      if (inWrapUp) await api.agentReady();
    });
    if (saved) onDone();
  }

  const resultError = errorOf("result");
  return (
    <form className="wrap-up" onSubmit={(e) => void save(e)} aria-label="Wrap-up" data-testid="wrap-up">
      <h3>Wrap-up</h3>
      <ErrorBanner error={error} claimed={["result", "notes", "follow_up.title", "follow_up.due_at"]} />
      <Field id="wrap-up-result" label="Result" field="result" error={resultError}>
        {offer.results.length > 0 ? (
          <select id="wrap-up-result" value={result} onChange={(e) => setResult(e.target.value)} {...describedBy("wrap-up-result", resultError)}>
            {offer.results.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        ) : (
          <input id="wrap-up-result" value={result} onChange={(e) => setResult(e.target.value)} required {...describedBy("wrap-up-result", resultError)} />
        )}
      </Field>
      <Field id="wrap-up-notes" label="Notes" field="notes" error={errorOf("notes")}>
        <textarea id="wrap-up-notes" rows={3} value={notes} onChange={(e) => setNotes(e.target.value)} />
      </Field>
      <label className="agent-queue">
        <input type="checkbox" checked={followUp} onChange={(e) => setFollowUp(e.target.checked)} />
        Follow-up task
      </label>
      {followUp && (
        <>
          <Field id="wrap-up-task" label="Task" field="follow_up.title" error={errorOf("follow_up.title")}>
            <input id="wrap-up-task" value={title} onChange={(e) => setTitle(e.target.value)} />
          </Field>
          <Field id="wrap-up-due" label="Due" field="follow_up.due_at" error={errorOf("follow_up.due_at")}>
            <input id="wrap-up-due" type="datetime-local" value={due} onChange={(e) => setDue(e.target.value)} />
          </Field>
        </>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {inWrapUp ? "Save and be ready" : "Save"}
      </button>
    </form>
  );
}
