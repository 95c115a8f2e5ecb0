import { describe, expect, it } from "vitest";
import type { SurveyQuestion } from "../api/types";
import { addQuestion, changeQuestion, moveQuestion, optionsOf, removeQuestion, surveyDraftOf, surveyFields, surveyOf } from "./surveyModel";

const SURVEY: SurveyQuestion[] = [
  { key: "plan", text: "Which plan?", kind: "choice", options: ["monthly", "yearly"], required: false },
  { key: "satisfied", text: "Happy with us?", kind: "yes_no", options: [], required: true },
];

describe("surveyDraftOf and surveyOf", () => {
  it("give back the survey the editor was made from", () => {
    expect(surveyOf(surveyDraftOf(SURVEY))).toEqual(SURVEY);
  });
  it("edit a choice's options as one comma-separated line", () => {
    expect(surveyDraftOf(SURVEY)[0].options).toBe("monthly, yearly");
    expect(optionsOf(" monthly,, yearly , ")).toEqual(["monthly", "yearly"]);
  });
  it("keep the options while the kind is switched, and send them for a choice only", () => {
    let questions = surveyDraftOf(SURVEY);
    questions = changeQuestion(questions, questions[0].uid, { kind: "text" });
    expect(surveyOf(questions)[0].options).toEqual([]);
    questions = changeQuestion(questions, questions[0].uid, { kind: "choice" });
    expect(surveyOf(questions)[0].options).toEqual(["monthly", "yearly"]);
  });
  it("send a choice without options as such, for the server to name", () => {
    const questions = surveyDraftOf(SURVEY);
    expect(surveyOf(changeQuestion(questions, questions[0].uid, { options: " , " }))[0].options).toEqual([]);
  });
  it("send keys and text trimmed", () => {
    const questions = surveyDraftOf(SURVEY);
    expect(surveyOf(changeQuestion(questions, questions[1].uid, { key: " happy ", text: " Happy? " }))[1]).toMatchObject({ key: "happy", text: "Happy?" });
  });
});

describe("adding, removing and moving questions", () => {
  it("adds an optional yes/no question with a uid of its own", () => {
    const questions = addQuestion(surveyDraftOf(SURVEY));
    expect(surveyOf(questions)[2]).toEqual({ key: "", text: "", kind: "yes_no", options: [], required: false });
    expect(new Set(questions.map((q) => q.uid)).size).toBe(3);
  });
  it("removes and moves by uid", () => {
    const questions = surveyDraftOf(SURVEY);
    expect(surveyOf(removeQuestion(questions, questions[0].uid)).map((q) => q.key)).toEqual(["satisfied"]);
    expect(surveyOf(moveQuestion(questions, questions[1].uid, -1)).map((q) => q.key)).toEqual(["satisfied", "plan"]);
    expect(moveQuestion(questions, questions[0].uid, -1)).toBe(questions);
  });
});

describe("surveyFields", () => {
  it("names the options only of a choice question, where they are shown", () => {
    const fields = surveyFields(surveyDraftOf(SURVEY));
    expect(fields).toContain("settings.survey");
    expect(fields).toContain("settings.survey[0].options");
    expect(fields).toContain("settings.survey[1].key");
    expect(fields).not.toContain("settings.survey[1].options");
  });
});
