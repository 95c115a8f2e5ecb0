// Tasks and reminders (included by both backends).

const TASK_SELECT: &str = "SELECT t.id, t.client_id, c.name AS client_name, t.title, t.notes, t.due_at, t.remind_at,
    t.responsible_id, u.display_name AS responsible_name, t.state, t.created_at, t.completed_at
    FROM tasks t LEFT JOIN clients c ON c.id = t.client_id LEFT JOIN users u ON u.id = t.responsible_id";

fn task_from_row(r: &<Db as sqlx::Database>::Row, now: DateTime<Utc>) -> Result<Task, RepoError> {
    let state: String = r.try_get("state").map_err(backend)?;
    let state: TaskState = parse_stored("task state", &state)?;
    let due_at: DateTime<Utc> = r.try_get("due_at").map_err(backend)?;
    Ok(Task {
        id: TaskId(r.try_get("id").map_err(backend)?),
        client_id: r.try_get::<Option<i64>, _>("client_id").map_err(backend)?.map(ClientId),
        client_name: r.try_get("client_name").map_err(backend)?,
        title: r.try_get("title").map_err(backend)?,
        notes: r.try_get("notes").map_err(backend)?,
        due_at,
        remind_at: r.try_get("remind_at").map_err(backend)?,
        responsible_id: UserId(r.try_get("responsible_id").map_err(backend)?),
        responsible_name: r.try_get("responsible_name").map_err(backend)?,
        state,
        overdue: state == TaskState::Open && due_at < now,
        created_at: r.try_get("created_at").map_err(backend)?,
        completed_at: r.try_get("completed_at").map_err(backend)?,
    })
}

/// A task is reached when the user is responsible for it, or when it is on a
/// client the scope reaches (`t` is the task, `c` its client).
fn push_task_scope(qb: &mut QueryBuilder<Db>, scope: TaskScope) {
    qb.push(" (t.responsible_id = ").push_bind(scope.user.0).push(" OR (c.id IS NOT NULL AND ");
    push_client_scope(qb, scope.clients);
    qb.push(")");
    if scope.clients == ClientScope::All {
        qb.push(" OR (1 = 1)");
    }
    qb.push(") ");
}

async fn load_task(conn: &mut Conn, scope: TaskScope, id: TaskId, now: DateTime<Utc>) -> Result<Task, RepoError> {
    let mut qb = QueryBuilder::<Db>::new(TASK_SELECT);
    qb.push(" WHERE t.id = ").push_bind(id.0).push(" AND ");
    push_task_scope(&mut qb, scope);
    let row = qb.build().fetch_optional(&mut *conn).await.map_err(backend)?.ok_or(RepoError::NotFound)?;
    task_from_row(&row, now)
}

/// A client's open tasks, earliest due first, for the screen pop.
async fn open_tasks_of_client(conn: &mut Conn, client: ClientId, limit: i64, now: DateTime<Utc>) -> Result<Vec<Task>, RepoError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "{TASK_SELECT} WHERE t.client_id = $1 AND t.state = 'open' ORDER BY t.due_at, t.id LIMIT $2"
    )))
    .bind(client.0)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| task_from_row(r, now))
    .collect()
}

#[async_trait]
impl TaskRepo for Store {
    async fn create_task(&self, scope: TaskScope, task: NewTask, now: DateTime<Utc>) -> Result<TaskId, RepoError> {
        let mut tx = self.begin_write().await?;
        if let Some(client) = task.client_id
            && !client_visible(&mut tx, scope.clients, client).await?
        {
            return Err(invalid("client_id", "no such client"));
        }
        require_user(&mut tx, task.responsible_id, "responsible_id").await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO tasks (client_id, title, notes, due_at, remind_at, responsible_id, state, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8) RETURNING id",
        )
        .bind(task.client_id.map(|c| c.0))
        .bind(&task.title)
        .bind(task.notes.as_deref())
        .bind(task.due_at)
        .bind(task.remind_at)
        .bind(task.responsible_id.0)
        .bind(scope.user.0)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        write_audit(&mut tx, now, Some(scope.user), "task", id, "create", &[]).await?;
        tx.commit().await.map_err(backend)?;
        Ok(TaskId(id))
    }

    async fn update_task(&self, scope: TaskScope, id: TaskId, patch: TaskPatch, now: DateTime<Utc>) -> Result<Task, RepoError> {
        let mut tx = self.begin_write().await?;
        let before = load_task(&mut tx, scope, id, now).await?;
        if let Some(responsible) = patch.responsible_id {
            require_user(&mut tx, responsible, "responsible_id").await?;
        }
        let title = patch.title.clone().unwrap_or(before.title.clone());
        let notes = patch.notes.clone().unwrap_or(before.notes.clone());
        let due_at = patch.due_at.unwrap_or(before.due_at);
        let remind_at = patch.remind_at.unwrap_or(before.remind_at);
        let responsible = patch.responsible_id.unwrap_or(before.responsible_id);
        let state = patch.state.unwrap_or(before.state);
        let completed_at = match (before.state, state) {
            (TaskState::Open, TaskState::Done | TaskState::Cancelled) => Some(now),
            (_, TaskState::Open) => None,
            _ => before.completed_at,
        };
        let mut diff = crate::crm::audit::Diff::default();
        diff.field("title", Some(&before.title), Some(&title));
        diff.field("notes", before.notes.as_deref(), notes.as_deref());
        diff.field("due_at", Some(&before.due_at.to_rfc3339()), Some(&due_at.to_rfc3339()));
        diff.field(
            "remind_at",
            before.remind_at.map(|t| t.to_rfc3339()).as_deref(),
            remind_at.map(|t| t.to_rfc3339()).as_deref(),
        );
        diff.field("responsible_id", Some(&before.responsible_id.to_string()), Some(&responsible.to_string()));
        diff.field("state", Some(before.state.as_str()), Some(state.as_str()));
        sqlx::query(
            "UPDATE tasks SET title = $1, notes = $2, due_at = $3, remind_at = $4, responsible_id = $5, state = $6,
                              completed_at = $7 WHERE id = $8",
        )
        .bind(&title)
        .bind(notes.as_deref())
        .bind(due_at)
        .bind(remind_at)
        .bind(responsible.0)
        .bind(state.as_str())
        .bind(completed_at)
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        write_audit(&mut tx, now, Some(scope.user), "task", id.0, "update", &diff.into_changes()).await?;
        let after = load_task(&mut tx, TaskScope { clients: ClientScope::All, user: scope.user }, id, now).await?;
        tx.commit().await.map_err(backend)?;
        Ok(after)
    }

    async fn task(&self, scope: TaskScope, id: TaskId, now: DateTime<Utc>) -> Result<Task, RepoError> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        load_task(&mut conn, scope, id, now).await
    }

    async fn tasks(&self, scope: TaskScope, filter: &TaskFilter, page: &PageRequest, now: DateTime<Utc>) -> Result<Page<Task>, RepoError> {
        let mut qb = QueryBuilder::<Db>::new(TASK_SELECT);
        qb.push(" WHERE ");
        push_task_scope(&mut qb, scope);
        if let Some(user) = filter.responsible {
            qb.push(" AND t.responsible_id = ").push_bind(user.0);
        }
        if let Some(state) = filter.state {
            qb.push(" AND t.state = ").push_bind(state.as_str());
        }
        if let Some(client) = filter.client {
            qb.push(" AND t.client_id = ").push_bind(client.0);
        }
        if filter.overdue {
            qb.push(" AND t.state = 'open' AND t.due_at < ").push_bind(now);
        }
        if let Some(after) = &page.after {
            let at = DateTime::parse_from_rfc3339(after.key.as_deref().unwrap_or_default())
                .map_err(|_| invalid("cursor", "is not a cursor from this API"))?
                .with_timezone(&Utc);
            qb.push(" AND (t.due_at > ").push_bind(at).push(" OR (t.due_at = ").push_bind(at);
            qb.push(" AND t.id > ").push_bind(after.id).push("))");
        }
        qb.push(" ORDER BY t.due_at, t.id LIMIT ").push_bind(page.fetch_limit());
        let rows = qb.build().fetch_all(&self.pool).await.map_err(backend)?;
        let items = rows.iter().map(|r| task_from_row(r, now)).collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_rows(items, page, |t| Cursor {
            key: Some(t.due_at.to_rfc3339()),
            id: t.id.0,
        }))
    }
}
