import { Link } from "react-router-dom";

export function NotFound({ what = "page" }: { what?: string }) {
  return (
    <section className="card empty-state" data-testid="not-found">
      <h1>Not found</h1>
      <p>This {what} does not exist, or you are not allowed to see it.</p>
      <Link to="/clients">Back to clients</Link>
    </section>
  );
}
