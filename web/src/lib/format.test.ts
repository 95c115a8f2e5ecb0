import { describe, expect, it } from "vitest";
import { agentStateText, formatDuration, fromLocalInput, humanise, toLocalInput } from "./format";

describe("format", () => {
  it("formats durations", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(75)).toBe("1 min 15 s");
    expect(formatDuration(3600)).toBe("1 h");
  });
  it("humanises enum values", () => expect(humanise("no_action_needed")).toBe("No action needed"));
  it("words an agent's state, and one it does not know humanised", () => {
    expect(["available", "on_call", "wrap_up", "offline"].map(agentStateText)).toEqual(["Available", "On a call", "Wrap-up", "Logged out"]);
    expect(agentStateText("on_break")).toBe("On break");
  });
  it("round-trips datetime-local values", () => {
    const d = new Date(2024, 4, 6, 9, 30);
    expect(toLocalInput(d)).toBe("2024-05-06T09:30");
    expect(fromLocalInput("2024-05-06T09:30")).toBe(d.toISOString());
    expect(fromLocalInput("")).toBeUndefined();
  });
});
