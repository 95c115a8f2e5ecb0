// A campaign's survey as its editor holds it: the options of a choice
// question as one comma-separated line, kept while the kind is switched
// back and forth. The server judges keys and options and names the wrong
// ones (`settings.survey[0].options`), so nothing here rejects.
import type { SurveyQuestion } from "../api/types";
import { freshUid, move } from "./scriptModel";

export type QuestionKind = SurveyQuestion["kind"];

export const KINDS: { kind: QuestionKind; label: string }[] = [
  { kind: "choice", label: "One of options" },
  { kind: "yes_no", label: "Yes or no" },
  { kind: "number", label: "Number" },
  { kind: "text", label: "Text" },
];

export interface QuestionDraft {
  /** The editor's own, never sent: React's key. */
  uid: string;
  /** The answer's name. */
  key: string;
  text: string;
  kind: QuestionKind;
  /** Comma-separated; sent for a choice question only. */
  options: string;
  required: boolean;
}

export function surveyDraftOf(survey: SurveyQuestion[]): QuestionDraft[] {
  return survey.map((q, i) => ({
    uid: `q${i + 1}`,
    key: q.key,
    text: q.text,
    kind: q.kind,
    options: (q.options ?? []).join(", "),
    required: q.required ?? false,
  }));
}

/** The survey to send, in the editor's order. */
export function surveyOf(questions: QuestionDraft[]): SurveyQuestion[] {
  return questions.map((q) => ({
    key: q.key.trim(),
    text: q.text.trim(),
    kind: q.kind,
    options: q.kind === "choice" ? optionsOf(q.options) : [],
    required: q.required,
  }));
}

/** "monthly, yearly," -> ["monthly", "yearly"]. */
export function optionsOf(text: string): string[] {
  return text.split(",").map((o) => o.trim()).filter(Boolean);
}

/** A new question at the end, an optional yes/no until told otherwise. */
export function addQuestion(questions: QuestionDraft[]): QuestionDraft[] {
  return [...questions, { uid: freshUid(questions, "q"), key: "", text: "", kind: "yes_no", options: "", required: false }];
}

export function changeQuestion(questions: QuestionDraft[], uid: string, change: Partial<Omit<QuestionDraft, "uid">>): QuestionDraft[] {
  return questions.map((q) => (q.uid === uid ? { ...q, ...change } : q));
}

export function removeQuestion(questions: QuestionDraft[], uid: string): QuestionDraft[] {
  return questions.filter((q) => q.uid !== uid);
}

export function moveQuestion(questions: QuestionDraft[], uid: string, by: -1 | 1): QuestionDraft[] {
  return move(questions, questions.findIndex((q) => q.uid === uid), by);
}

/** The server's names for what the editor shows an error beside (options
 * only where they are shown: a choice question's). */
export function surveyFields(questions: QuestionDraft[]): string[] {
  return [
    "settings.survey",
    ...questions.flatMap((q, i) => [...["key", "text", "kind"], ...(q.kind === "choice" ? ["options"] : [])].map((f) => `settings.survey[${i}].${f}`)),
  ];
}
