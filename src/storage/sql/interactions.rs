// Interactions (included by both backends).

const INTERACTION_COLUMNS: &str = "i.id, i.client_id, i.contact_person_id, i.channel, i.direction, i.started_at,
    i.duration_s, i.priority, i.type, i.state, i.status, i.advertising_source, i.responsible_id,
    u.display_name AS responsible_name, i.result, i.notes, i.created_at,
    cr.id AS cr_id, cr.call_id AS cr_call_id, cr.trunk AS cr_trunk, cr.caller AS cr_caller, cr.called AS cr_called,
    cr.queue AS cr_queue, cr.answered_by AS cr_answered_by, cr.outcome AS cr_outcome, cr.hangup_by AS cr_hangup_by,
    cr.arrived_at AS cr_arrived_at, cr.queued_at AS cr_queued_at, cr.offered_at AS cr_offered_at,
    cr.answered_at AS cr_answered_at, cr.ended_at AS cr_ended_at, cr.recording AS cr_recording";

/// The tables INTERACTION_COLUMNS reads: interactions `i`, with their
/// responsible user and their call.
const INTERACTION_FROM: &str =
    "interactions i LEFT JOIN users u ON u.id = i.responsible_id LEFT JOIN call_records cr ON cr.id = i.call_record_id";

/// The call an interaction row was, when it was one.
fn call_brief_from_row(r: &<Db as sqlx::Database>::Row) -> Result<Option<CallBrief>, RepoError> {
    let Some(id) = r.try_get::<Option<i64>, _>("cr_id").map_err(backend)? else {
        return Ok(None);
    };
    let text = |column: &str| -> Result<String, RepoError> { r.try_get(column).map_err(backend) };
    let arrived_at: DateTime<Utc> = r.try_get("cr_arrived_at").map_err(backend)?;
    let answered_at: Option<DateTime<Utc>> = r.try_get("cr_answered_at").map_err(backend)?;
    let ended_at: DateTime<Utc> = r.try_get("cr_ended_at").map_err(backend)?;
    Ok(Some(CallBrief {
        id: CallRecordId(id),
        call_id: text("cr_call_id")?,
        trunk: r.try_get("cr_trunk").map_err(backend)?,
        caller: text("cr_caller")?,
        called: text("cr_called")?,
        queue: r.try_get("cr_queue").map_err(backend)?,
        answered_by: r.try_get("cr_answered_by").map_err(backend)?,
        outcome: parse_stored("outcome", &text("cr_outcome")?)?,
        hangup_by: r
            .try_get::<Option<String>, _>("cr_hangup_by")
            .map_err(backend)?
            .map(|party| parse_stored("hangup_by", &party))
            .transpose()?,
        arrived_at,
        queued_at: r.try_get("cr_queued_at").map_err(backend)?,
        offered_at: r.try_get("cr_offered_at").map_err(backend)?,
        answered_at,
        ended_at,
        wait_s: (answered_at.unwrap_or(ended_at) - arrived_at).num_seconds().max(0),
        talk_s: answered_at.map_or(0, |a| (ended_at - a).num_seconds().max(0)),
        recorded: r.try_get::<Option<String>, _>("cr_recording").map_err(backend)?.is_some(),
    }))
}

fn interaction_from_row(r: &<Db as sqlx::Database>::Row) -> Result<Interaction, RepoError> {
    let text = |column: &str| -> Result<String, RepoError> { r.try_get(column).map_err(backend) };
    Ok(Interaction {
        id: InteractionId(r.try_get("id").map_err(backend)?),
        client_id: ClientId(r.try_get("client_id").map_err(backend)?),
        contact_person_id: r.try_get::<Option<i64>, _>("contact_person_id").map_err(backend)?.map(ContactPersonId),
        channel: parse_stored("channel", &text("channel")?)?,
        direction: parse_stored("direction", &text("direction")?)?,
        started_at: r.try_get("started_at").map_err(backend)?,
        duration_s: r.try_get("duration_s").map_err(backend)?,
        priority: parse_stored("priority", &text("priority")?)?,
        kind: parse_stored("type", &text("type")?)?,
        state: parse_stored("state", &text("state")?)?,
        status: parse_stored("status", &text("status")?)?,
        advertising_source: r.try_get("advertising_source").map_err(backend)?,
        responsible_id: r.try_get::<Option<i64>, _>("responsible_id").map_err(backend)?.map(UserId),
        responsible_name: r.try_get("responsible_name").map_err(backend)?,
        result: r.try_get("result").map_err(backend)?,
        notes: r.try_get("notes").map_err(backend)?,
        created_at: r.try_get("created_at").map_err(backend)?,
        call: call_brief_from_row(r)?,
    })
}

/// The newest interactions of a client, for the screen pop.
async fn recent_interactions(conn: &mut Conn, client: ClientId, limit: i64) -> Result<Vec<Interaction>, RepoError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {INTERACTION_COLUMNS} FROM {INTERACTION_FROM}
         WHERE i.client_id = $1 ORDER BY i.started_at DESC, i.id DESC LIMIT $2"
    )))
    .bind(client.0)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await
    .map_err(backend)?
    .iter()
    .map(interaction_from_row)
    .collect()
}

#[async_trait]
impl InteractionRepo for Store {
    async fn create_interaction(
        &self,
        scope: ClientScope,
        actor: UserId,
        new: NewInteraction,
        now: DateTime<Utc>,
    ) -> Result<InteractionId, RepoError> {
        let mut tx = self.begin_write().await?;
        if !client_visible(&mut tx, scope, new.client_id).await? {
            return Err(invalid("client_id", "no such client"));
        }
        if let Some(person) = new.contact_person_id {
            let owner: Option<i64> = sqlx::query_scalar("SELECT client_id FROM contact_persons WHERE id = $1")
                .bind(person.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
            if owner != Some(new.client_id.0) {
                return Err(invalid("contact_person_id", "is not a contact person of this client"));
            }
        }
        require_user(&mut tx, new.responsible_id, "responsible_id").await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO interactions (client_id, contact_person_id, channel, direction, started_at, duration_s, priority,
                                       type, state, status, advertising_source, responsible_id, result, notes,
                                       created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
        )
        .bind(new.client_id.0)
        .bind(new.contact_person_id.map(|p| p.0))
        .bind(new.channel.as_str())
        .bind(new.direction.as_str())
        .bind(new.started_at)
        .bind(new.duration_s)
        .bind(new.priority.as_str())
        .bind(new.kind.as_str())
        .bind(new.state.as_str())
        .bind(new.status.as_str())
        .bind(new.advertising_source.as_deref())
        .bind(new.responsible_id.0)
        .bind(new.result.as_deref())
        .bind(new.notes.as_deref())
        .bind(actor.0)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        write_audit(&mut tx, now, Some(actor), "interaction", id, "create", &[]).await?;
        tx.commit().await.map_err(backend)?;
        Ok(InteractionId(id))
    }

    async fn client_interactions(&self, scope: ClientScope, client: ClientId, page: &PageRequest) -> Result<Page<Interaction>, RepoError> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        if !client_visible(&mut conn, scope, client).await? {
            return Err(RepoError::NotFound);
        }
        let mut qb = QueryBuilder::<Db>::new(format!(
            "SELECT {INTERACTION_COLUMNS} FROM {INTERACTION_FROM} WHERE i.client_id = "
        ));
        qb.push_bind(client.0);
        if let Some(after) = &page.after {
            let at = DateTime::parse_from_rfc3339(after.key.as_deref().unwrap_or_default())
                .map_err(|_| invalid("cursor", "is not a cursor from this API"))?
                .with_timezone(&Utc);
            qb.push(" AND (i.started_at < ").push_bind(at).push(" OR (i.started_at = ").push_bind(at);
            qb.push(" AND i.id < ").push_bind(after.id).push("))");
        }
        qb.push(" ORDER BY i.started_at DESC, i.id DESC LIMIT ").push_bind(page.fetch_limit());
        let rows = qb.build().fetch_all(&mut *conn).await.map_err(backend)?;
        let items = rows.iter().map(interaction_from_row).collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_rows(items, page, |i| Cursor {
            key: Some(i.started_at.to_rfc3339()),
            id: i.id.0,
        }))
    }
}
