import { describe, expect, it } from "vitest";
import { describeFilter, filterOfQuery } from "./segments";

describe("filterOfQuery", () => {
  it("keeps the client list's filters that are set, not the sorting", () => {
    const params = new URLSearchParams("q=berlin&status=vip&sort=-name&kind=&attr.tier=gold&cursor=x");
    expect(filterOfQuery(params)).toEqual({ q: "berlin", status: "vip", "attr.tier": "gold" });
  });
});

describe("describeFilter", () => {
  it("says what a filter picks", () => {
    expect(describeFilter({ status: "vip", kind: "legal", q: "berlin" })).toBe('legal entities · status vip · matching "berlin"');
    expect(describeFilter({ classifier: "7", "attr.tier": "gold" }, () => "Retail / North")).toBe("under Retail / North · tier = gold");
    expect(describeFilter({ responsible: "me" })).toBe("mine");
  });
  it("calls no filter every client", () => {
    expect(describeFilter({})).toBe("every client");
  });
});
