import { Link } from "react-router-dom";
import type { Task } from "../api/types";
import { formatDateTime, humanise } from "../lib/format";

interface Props {
  tasks: Task[];
  showClient: boolean;
  onDone?: (task: Task) => void;
  busyId?: string | null;
}

/** Tasks with due time; overdue ones stand out; open ones can be marked done. */
export function TaskList({ tasks, showClient, onDone, busyId }: Props) {
  return (
    <ul className="task-list">
      {tasks.map((t) => (
        <li key={String(t.id)} data-testid="task" data-overdue={t.overdue ? "true" : "false"}
          className={`task${t.overdue && t.state === "open" ? " overdue" : ""}${t.state !== "open" ? " closed" : ""}`}>
          <div className="task-main">
            <strong className="task-title">{t.title}</strong>
            {t.overdue && t.state === "open" && <span className="tag danger">Overdue</span>}
            {t.state !== "open" && <span className="tag">{humanise(t.state)}</span>}
            <div className="small muted">
              Due <time dateTime={t.due_at}>{formatDateTime(t.due_at)}</time>
              {t.responsible_name && <> · {t.responsible_name}</>}
              {showClient && t.client_id !== null && t.client_id !== undefined && (
                <> · <Link to={`/clients/${encodeURIComponent(String(t.client_id))}`}>{t.client_name || "Client"}</Link></>
              )}
            </div>
            {t.notes && <div className="small pre">{t.notes}</div>}
          </div>
          {onDone && t.state === "open" && (
            <button type="button" onClick={() => onDone(t)} disabled={busyId === String(t.id)}
              aria-label={`Mark "${t.title}" done`}>
              Mark done
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}
