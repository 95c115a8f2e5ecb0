// The classifier as an expandable tree. In "filter" mode each node is a
// button (one selected at a time); in "pick" mode each node has a checkbox.
import { useMemo, useState } from "react";
import type { ClassifierNode } from "../api/types";
import { ancestorsOf, buildTree, type TreeNode } from "../lib/classifierTree";

interface Props {
  nodes: ClassifierNode[];
  mode: "filter" | "pick";
  selected: ReadonlySet<string>;
  onSelect: (id: string) => void;
  /** Prefix of element ids, unique per tree on the page. */
  idPrefix: string;
}

export function ClassifierTree({ nodes, mode, selected, onSelect, idPrefix }: Props) {
  const tree = useMemo(() => buildTree(nodes), [nodes]);
  const [open, setOpen] = useState<Set<string>>(() => {
    const start = new Set<string>();
    for (const id of selected) ancestorsOf(nodes, id).forEach((a) => start.add(a));
    return start;
  });

  const toggleOpen = (id: string) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  if (!tree.length) return <p className="muted">No classifier nodes.</p>;
  return (
    <ul className="tree" role="tree">
      {tree.map((node) => (
        <Branch key={String(node.id)} node={node} depth={0} {...{ mode, selected, onSelect, idPrefix, open, toggleOpen }} />
      ))}
    </ul>
  );
}

interface BranchProps extends Omit<Props, "nodes"> {
  node: TreeNode;
  depth: number;
  open: ReadonlySet<string>;
  toggleOpen: (id: string) => void;
}

function Branch(props: BranchProps) {
  const { node, mode, selected, onSelect, idPrefix, open, toggleOpen, depth } = props;
  const id = String(node.id);
  const expanded = open.has(id);
  const hasChildren = node.children.length > 0;
  const isSelected = selected.has(id);
  const inputId = `${idPrefix}-${id}`;

  return (
    <li role="treeitem" aria-expanded={hasChildren ? expanded : undefined} aria-selected={isSelected}>
      <div className="tree-row" style={{ paddingLeft: depth * 14 }}>
        {hasChildren ? (
          <button type="button" className="tree-toggle" aria-label={`${expanded ? "Collapse" : "Expand"} ${node.name}`}
            onClick={() => toggleOpen(id)}>
            {expanded ? "▾" : "▸"}
          </button>
        ) : (
          <span className="tree-toggle" aria-hidden="true" />
        )}
        {mode === "filter" ? (
          <button type="button" className={`tree-node${isSelected ? " selected" : ""}`}
            data-testid="classifier-node" data-node-id={id} onClick={() => onSelect(id)}>
            {node.name}
          </button>
        ) : (
          <label className="tree-check" htmlFor={inputId}>
            <input id={inputId} type="checkbox" checked={isSelected} onChange={() => onSelect(id)} />
            {node.name}
          </label>
        )}
      </div>
      {hasChildren && expanded && (
        <ul role="group">
          {node.children.map((child) => (
            <Branch key={String(child.id)} {...props} node={child} depth={depth + 1} />
          ))}
        </ul>
      )}
    </li>
  );
}
