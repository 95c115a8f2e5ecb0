import type { SurveyQuestion } from "../api/types";

/** The answers typed so far, as the server takes them: true/false for a
 * yes/no question, numbers for a number question, text otherwise;
 * unanswered questions left out. */
export function surveyOf(questions: SurveyQuestion[], answers: Record<string, string>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const q of questions) {
    const given = answers[q.key];
    if (given === undefined || given === "") continue;
    if (q.kind === "yes_no") out[q.key] = given === "yes";
    else if (q.kind === "number") out[q.key] = Number(given);
    else out[q.key] = given;
  }
  return out;
}
