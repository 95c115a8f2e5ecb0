// The classifier arrives flat ({id, parent_id, name}); the UI shows it as a tree.
import type { ClassifierNode, Id } from "../api/types";

export interface TreeNode {
  id: Id;
  name: string;
  children: TreeNode[];
}

const key = (id: Id | null | undefined) => (id === null || id === undefined ? "" : String(id));

/** Builds the forest, children sorted by name; nodes whose parent is missing become roots. */
export function buildTree(nodes: ClassifierNode[]): TreeNode[] {
  const byId = new Map<string, TreeNode>();
  for (const n of nodes) byId.set(key(n.id), { id: n.id, name: n.name, children: [] });
  const roots: TreeNode[] = [];
  for (const n of nodes) {
    const node = byId.get(key(n.id))!; // inserted just above for every node
    const parent = n.parent_id === null || n.parent_id === undefined ? undefined : byId.get(key(n.parent_id));
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  const sort = (list: TreeNode[]) => {
    list.sort((a, b) => a.name.localeCompare(b.name));
    list.forEach((n) => sort(n.children));
  };
  sort(roots);
  return roots;
}

/** "Root / Child / Node" for a node id, from the flat list. */
export function pathOf(nodes: ClassifierNode[], id: Id): string {
  const byId = new Map(nodes.map((n) => [key(n.id), n]));
  const names: string[] = [];
  const seen = new Set<string>();
  let current = byId.get(key(id));
  while (current && !seen.has(key(current.id))) {
    seen.add(key(current.id));
    names.unshift(current.name);
    current = current.parent_id === null ? undefined : byId.get(key(current.parent_id));
  }
  return names.join(" / ");
}

/** Ids of the node's ancestors, nearest first (to open the tree down to a node). */
export function ancestorsOf(nodes: ClassifierNode[], id: Id): string[] {
  const byId = new Map(nodes.map((n) => [key(n.id), n]));
  const out: string[] = [];
  let current = byId.get(key(id));
  while (current && current.parent_id !== null && current.parent_id !== undefined) {
    const parent = key(current.parent_id);
    if (out.includes(parent)) break;
    out.push(parent);
    current = byId.get(parent);
  }
  return out;
}
