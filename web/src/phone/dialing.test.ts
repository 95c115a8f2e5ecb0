import { describe, expect, it } from "vitest";
import { describeFailure, formatDuration, normaliseDialled } from "./dialing";

describe("normaliseDialled", () => {
  it("keeps digits, star, hash and a leading plus, dropping separators", () => {
    expect(normaliseDialled(" +49 (30) 123-45.67 ")).toBe("+49301234567");
    expect(normaliseDialled("1002")).toBe("1002");
    expect(normaliseDialled("*72#")).toBe("*72#");
  });
  it("refuses letters, an inner plus and nothing at all", () => {
    expect(normaliseDialled("12a4")).toBeNull();
    expect(normaliseDialled("12+4")).toBeNull();
    expect(normaliseDialled("  ")).toBeNull();
  });
});

describe("formatDuration", () => {
  it("reads as minutes and seconds, with hours when a call is long", () => {
    expect(formatDuration(7)).toBe("0:07");
    expect(formatDuration(765)).toBe("12:45");
    expect(formatDuration(3723)).toBe("1:02:03");
  });
});

describe("describeFailure", () => {
  it("names the failures an agent meets", () => {
    expect(describeFailure("Busy", 486)).toBe("Busy");
    expect(describeFailure(undefined, 480)).toBe("Not reachable");
    expect(describeFailure("Rejected", 503)).toBe("Rejected");
    expect(describeFailure(undefined, 502)).toBe("Failed (502)");
  });
});
