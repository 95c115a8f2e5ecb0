import { ClassifierTree } from "../components/ClassifierTree";
import { useReferenceData } from "../lib/ReferenceData";

interface Props {
  selected: string;
  onSelect: (id: string) => void;
}

/** Side panel of the client list: click a node to see clients under it and its descendants. */
export function ClassifierPanel({ selected, onSelect }: Props) {
  const { classifier } = useReferenceData();
  return (
    <aside className="side-panel card" aria-label="Classifier">
      <div className="side-panel-head">
        <h2>Classifier</h2>
        {selected && (
          <button type="button" className="link-button" onClick={() => onSelect("")}>Clear</button>
        )}
      </div>
      <ClassifierTree nodes={classifier} mode="filter" idPrefix="filter-node"
        selected={new Set(selected ? [selected] : [])}
        onSelect={(id) => onSelect(id === selected ? "" : id)} />
    </aside>
  );
}
