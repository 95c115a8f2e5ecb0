// A campaign's script as its editor holds it, and the changes the editor
// makes, apart from the page so they are tested on their own. A step has a
// uid of the editor's own besides its id, and a choice leads to a step by
// that uid: renaming a step (one keystroke at a time, through ids another
// step may have for a moment) never loses or mixes up the choices that lead
// to it. Ids go to the server as typed (trimmed); it judges them and names
// the wrong ones (`settings.script[1].id`), so nothing here rejects.
import type { ScriptStep } from "../api/types";

export interface StepDraft {
  /** The editor's own, never sent: what choices lead to, and React's key. */
  uid: string;
  id: string;
  /** What the agent says. */
  text: string;
  choices: ChoiceDraft[];
}

export interface ChoiceDraft {
  label: string;
  /** The uid of the step it leads to; null ends the script. */
  next: string | null;
}

/** The editor's steps for a script as the server has it. */
export function scriptDraftOf(script: ScriptStep[]): StepDraft[] {
  const steps = script.map((s, i) => ({ uid: `s${i + 1}`, id: s.id, text: s.text, choices: [] as ChoiceDraft[] }));
  script.forEach((s, i) => {
    steps[i].choices = (s.choices ?? []).map((c) => ({
      label: c.label,
      // The first step of that id, as the agent's panel follows it. None has
      // it only if the server kept a script it now refuses: the choice ends.
      next: c.next === null ? null : (steps.find((t) => t.id === c.next)?.uid ?? null),
    }));
  });
  return steps;
}

/** The script to send: each choice names the id its step has now. */
export function scriptOf(steps: StepDraft[]): ScriptStep[] {
  const idOf = new Map(steps.map((s) => [s.uid, s.id.trim()]));
  return steps.map((s) => ({
    id: s.id.trim(),
    text: s.text.trim(),
    choices: s.choices.map((c) => ({ label: c.label.trim(), next: c.next === null ? null : (idOf.get(c.next) ?? null) })),
  }));
}

/** A new step at the end, with an id no step has yet (to be renamed at will). */
export function addStep(steps: StepDraft[]): StepDraft[] {
  const taken = new Set(steps.map((s) => s.id.trim()));
  let n = steps.length + 1;
  while (taken.has(`step${n}`)) n++;
  return [...steps, { uid: freshUid(steps), id: `step${n}`, text: "", choices: [] }];
}

/** The step's id changed; the choices leading to it lead to it still. */
export function renameStep(steps: StepDraft[], uid: string, id: string): StepDraft[] {
  return changeStep(steps, uid, { id });
}

export function changeStep(steps: StepDraft[], uid: string, change: Partial<Pick<StepDraft, "id" | "text">>): StepDraft[] {
  return steps.map((s) => (s.uid === uid ? { ...s, ...change } : s));
}

/** The step gone; the choices that led to it end the script instead. */
export function removeStep(steps: StepDraft[], uid: string): StepDraft[] {
  return steps
    .filter((s) => s.uid !== uid)
    .map((s) => (s.choices.some((c) => c.next === uid) ? { ...s, choices: s.choices.map((c) => (c.next === uid ? { ...c, next: null } : c)) } : s));
}

/** The step one place up (-1) or down (1); the first one starts the script. */
export function moveStep(steps: StepDraft[], uid: string, by: -1 | 1): StepDraft[] {
  return move(steps, steps.findIndex((s) => s.uid === uid), by);
}

/** A new choice that ends the script until it is led somewhere. */
export function addChoice(steps: StepDraft[], uid: string): StepDraft[] {
  return steps.map((s) => (s.uid === uid ? { ...s, choices: [...s.choices, { label: "", next: null }] } : s));
}

export function changeChoice(steps: StepDraft[], uid: string, index: number, change: Partial<ChoiceDraft>): StepDraft[] {
  return steps.map((s) => (s.uid === uid ? { ...s, choices: s.choices.map((c, i) => (i === index ? { ...c, ...change } : c)) } : s));
}

export function removeChoice(steps: StepDraft[], uid: string, index: number): StepDraft[] {
  return steps.map((s) => (s.uid === uid ? { ...s, choices: s.choices.filter((_, i) => i !== index) } : s));
}

/** How a step is named in a choice's list of where to go: its id and first words. */
export function stepTitle(step: StepDraft, words = 6): string {
  const all = step.text.trim().split(/\s+/).filter(Boolean);
  const start = all.slice(0, words).join(" ") + (all.length > words ? "…" : "");
  const id = step.id.trim() || "(no id)";
  return start ? `${id} — ${start}` : id;
}

/** The server's names for what the editor shows an error beside, as it
 * numbers them: the steps and choices in the order sent. */
export function scriptFields(steps: StepDraft[]): string[] {
  return [
    "settings.script",
    ...steps.flatMap((s, i) => {
      const at = `settings.script[${i}]`;
      return [`${at}.id`, `${at}.text`, ...s.choices.flatMap((_, j) => [`${at}.choices[${j}].label`, `${at}.choices[${j}].next`])];
    }),
  ];
}

/** The list with the item at `index` moved one place; as it was at either end. */
export function move<T>(list: T[], index: number, by: -1 | 1): T[] {
  const to = index + by;
  if (index < 0 || index >= list.length || to < 0 || to >= list.length) return list;
  const out = [...list];
  [out[index], out[to]] = [out[to], out[index]];
  return out;
}

/** A uid no item has. */
export function freshUid(items: { uid: string }[], prefix = "s"): string {
  const used = new Set(items.map((i) => i.uid));
  let n = items.length + 1;
  while (used.has(`${prefix}${n}`)) n++;
  return `${prefix}${n}`;
}
