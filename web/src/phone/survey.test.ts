import { describe, expect, it } from "vitest";
import type { SurveyQuestion } from "../api/types";
import { surveyOf } from "./survey";

const question = (key: string, kind: SurveyQuestion["kind"]): SurveyQuestion => ({ key, text: key, kind, options: [], required: false });

describe("surveyOf", () => {
  it("gives each answer the type its question asks for", () => {
    const questions = [question("plan", "choice"), question("agree", "yes_no"), question("seats", "number"), question("why", "text")];
    expect(surveyOf(questions, { plan: "yearly", agree: "no", seats: "12", why: "price" })).toEqual({ plan: "yearly", agree: false, seats: 12, why: "price" });
  });
  it("leaves out what was not answered and keys no question has", () => {
    expect(surveyOf([question("plan", "choice"), question("agree", "yes_no")], { plan: "", other: "x" })).toEqual({});
  });
});
