// The saved segments (made on the client list with "Save as segment"): what
// each picks, how many clients it matches now and how many have a phone.
import { useCallback, useEffect, useState } from "react";
import { api } from "../api/endpoints";
import type { Segment } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { pathOf } from "../lib/classifierTree";
import { useReferenceData } from "../lib/ReferenceData";
import { describeFilter } from "../lib/segments";

export function Segments({ canChange }: { canChange: boolean }) {
  const [segments, setSegments] = useState<Segment[]>([]);
  const [error, setError] = useState<unknown>();
  const { classifier } = useReferenceData();

  const load = useCallback(() => {
    api.segments().then((list) => setSegments(list.items), setError);
  }, []);
  useEffect(load, [load]);

  async function remove(segment: Segment) {
    setError(undefined);
    try {
      await api.deleteSegment(segment.id);
      load();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section className="card" aria-label="Segments" data-testid="segments">
      <h2>Segments</h2>
      <ErrorBanner error={error} />
      {segments.length === 0 ? (
        <p className="muted">None yet: filter the client list and save it as a segment.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Segment</th>
              <th>Picks</th>
              <th>Clients</th>
              <th>With a phone</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {segments.map((s) => (
              <tr key={s.id} data-segment={s.name} data-callable={s.size.callable}>
                <td>{s.name}</td>
                <td>{describeFilter(s.filter, (id) => pathOf(classifier, id) || `node ${id}`)}</td>
                <td>{s.size.clients}</td>
                <td>{s.size.callable}</td>
                <td>{canChange && <button type="button" onClick={() => void remove(s)}>Delete</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
