import { describe, expect, it } from "vitest";
import { ancestorsOf, buildTree, pathOf } from "./classifierTree";

const nodes = [
  { id: 3, parent_id: 1, name: "Wholesale" },
  { id: 1, parent_id: null, name: "Segment" },
  { id: 2, parent_id: 1, name: "Retail" },
  { id: 4, parent_id: 2, name: "VIP" },
  { id: 5, parent_id: 99, name: "Orphan" },
];

describe("buildTree", () => {
  it("nests children under parents, sorted by name", () => {
    const tree = buildTree(nodes);
    expect(tree.map((n) => n.name)).toEqual(["Orphan", "Segment"]);
    const segment = tree[1];
    expect(segment.children.map((n) => n.name)).toEqual(["Retail", "Wholesale"]);
    expect(segment.children[0].children.map((n) => n.name)).toEqual(["VIP"]);
  });
});

describe("pathOf / ancestorsOf", () => {
  it("names the whole branch", () => expect(pathOf(nodes, 4)).toBe("Segment / Retail / VIP"));
  it("lists ancestors nearest first", () => expect(ancestorsOf(nodes, 4)).toEqual(["2", "1"]));
});
