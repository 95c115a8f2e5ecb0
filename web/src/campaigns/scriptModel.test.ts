import { describe, expect, it } from "vitest";
import type { ScriptStep } from "../api/types";
import {
  addChoice,
  addStep,
  changeChoice,
  move,
  moveStep,
  removeChoice,
  removeStep,
  renameStep,
  scriptDraftOf,
  scriptFields,
  scriptOf,
  stepTitle,
} from "./scriptModel";

const SCRIPT: ScriptStep[] = [
  { id: "hello", text: "Hello, have you a minute?", choices: [{ label: "Interested", next: "offer" }, { label: "Not now", next: null }] },
  { id: "offer", text: "The winter plan is 20% off.", choices: [{ label: "Again", next: "offer" }, { label: "Back", next: "hello" }] },
];

/** The editor's uid of the step with this id. */
function uidOf(steps: ReturnType<typeof scriptDraftOf>, id: string): string {
  const step = steps.find((s) => s.id === id);
  if (!step) throw new Error(`no step ${id}`);
  return step.uid;
}

describe("scriptDraftOf and scriptOf", () => {
  it("give back the script the editor was made from", () => {
    expect(scriptOf(scriptDraftOf(SCRIPT))).toEqual(SCRIPT);
  });
  it("lead a choice to the step by the editor's uid, not by its id", () => {
    const steps = scriptDraftOf(SCRIPT);
    expect(steps[0].choices.map((c) => c.next)).toEqual([steps[1].uid, null]);
  });
  it("lead a choice to the first of two steps of one id", () => {
    const steps = scriptDraftOf([
      { id: "a", text: "first", choices: [{ label: "go", next: "a" }] },
      { id: "a", text: "second", choices: [] },
    ]);
    expect(steps[0].choices[0].next).toBe(steps[0].uid);
  });
  it("send ids, text and labels trimmed, a choice naming its step's id as it is then", () => {
    const steps = scriptDraftOf(SCRIPT);
    const sent = scriptOf(renameStep(steps, steps[1].uid, " pitch ").map((s) => ({ ...s, text: `${s.text}\n` })));
    expect(sent[1].id).toBe("pitch");
    expect(sent[0].text).toBe("Hello, have you a minute?");
    expect(sent[0].choices[0].next).toBe("pitch");
  });
  it("send an empty id as it is, for the server to name", () => {
    const steps = scriptDraftOf(SCRIPT);
    expect(scriptOf(renameStep(steps, steps[1].uid, ""))[0].choices[0]).toEqual({ label: "Interested", next: "" });
  });
});

describe("renameStep", () => {
  it("carries every choice leading to the step, its own too", () => {
    const steps = scriptDraftOf(SCRIPT);
    const sent = scriptOf(renameStep(steps, uidOf(steps, "offer"), "pitch"));
    expect(sent.map((s) => s.id)).toEqual(["hello", "pitch"]);
    expect(sent[0].choices.map((c) => c.next)).toEqual(["pitch", null]);
    expect(sent[1].choices.map((c) => c.next)).toEqual(["pitch", "hello"]);
  });
  it("keeps two steps apart while one passes through the other's id", () => {
    let steps = scriptDraftOf(SCRIPT);
    const offer = uidOf(steps, "offer");
    steps = renameStep(steps, offer, "hello");
    steps = renameStep(steps, offer, "deal");
    const sent = scriptOf(steps);
    expect(sent[0].choices[0].next).toBe("deal");
    expect(sent[1].choices[1].next).toBe("hello");
  });
});

describe("removeStep", () => {
  it("ends the script where a choice led to the removed step", () => {
    const steps = scriptDraftOf(SCRIPT);
    const sent = scriptOf(removeStep(steps, uidOf(steps, "offer")));
    expect(sent).toEqual([{ id: "hello", text: "Hello, have you a minute?", choices: [{ label: "Interested", next: null }, { label: "Not now", next: null }] }]);
  });
  it("leaves the other choices where they led", () => {
    const steps = scriptDraftOf(SCRIPT);
    const sent = scriptOf(removeStep(steps, uidOf(steps, "hello")));
    expect(sent[0].choices).toEqual([{ label: "Again", next: "offer" }, { label: "Back", next: null }]);
  });
});

describe("moveStep", () => {
  it("moves a step up so that it starts, its choices unchanged", () => {
    const steps = scriptDraftOf(SCRIPT);
    const sent = scriptOf(moveStep(steps, uidOf(steps, "offer"), -1));
    expect(sent.map((s) => s.id)).toEqual(["offer", "hello"]);
    expect(sent[1].choices[0].next).toBe("offer");
  });
  it("leaves the list as it is at either end", () => {
    const steps = scriptDraftOf(SCRIPT);
    expect(moveStep(steps, uidOf(steps, "hello"), -1)).toBe(steps);
    expect(moveStep(steps, uidOf(steps, "offer"), 1)).toBe(steps);
    expect(move([1, 2, 3], 1, 1)).toEqual([1, 3, 2]);
  });
});

describe("addStep and the choices", () => {
  it("adds a step with an id no step has and a uid of its own", () => {
    const steps = addStep(scriptDraftOf([{ id: "step2", text: "x", choices: [] }]));
    expect(steps.map((s) => s.id)).toEqual(["step2", "step3"]);
    expect(new Set(steps.map((s) => s.uid)).size).toBe(2);
  });
  it("adds a choice that ends, leads it to a step, and removes it by its place", () => {
    let steps = addStep(addStep([]));
    const [first, second] = steps.map((s) => s.uid);
    steps = addChoice(addChoice(steps, first), first);
    steps = changeChoice(steps, first, 0, { label: "Yes", next: second });
    steps = changeChoice(steps, first, 1, { label: "No" });
    expect(scriptOf(steps)[0].choices).toEqual([{ label: "Yes", next: "step2" }, { label: "No", next: null }]);
    expect(scriptOf(removeChoice(steps, first, 0))[0].choices).toEqual([{ label: "No", next: null }]);
  });
});

describe("stepTitle", () => {
  it("names a step by its id and first words", () => {
    const [hello] = scriptDraftOf(SCRIPT);
    expect(stepTitle(hello)).toBe("hello — Hello, have you a minute?");
    expect(stepTitle({ ...hello, text: "one two three four five six seven" })).toBe("hello — one two three four five six…");
    expect(stepTitle({ ...hello, id: " ", text: "" })).toBe("(no id)");
  });
});

describe("scriptFields", () => {
  it("names every input the editor shows an error beside, as the server numbers them", () => {
    const fields = scriptFields(scriptDraftOf(SCRIPT));
    expect(fields).toContain("settings.script");
    expect(fields).toContain("settings.script[1].id");
    expect(fields).toContain("settings.script[0].text");
    expect(fields).toContain("settings.script[1].choices[1].next");
    expect(fields).not.toContain("settings.script[2].id");
  });
});
