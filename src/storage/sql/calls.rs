// Call detail records (included by both backends).

const CALL_COLUMNS: &str = "r.id, r.call_id, r.direction, r.trunk, r.caller, r.caller_e164, r.caller_name, r.called,
    r.original_called, r.answered_by, r.dialplan_rule, r.arrived_at, r.answered_at, r.ended_at, r.outcome,
    r.hangup_by, r.sip_code, r.legs, r.recording, r.recording_ms, r.party_e164, r.queue, r.queued_at, r.offered_at,
    r.client_id, rc.name AS client_name, r.agent_id, ra.display_name AS agent_name,
    r.result, r.notes, r.wrapped_up_at, r.wrapped_up_by, rw.display_name AS wrapped_up_by_name";

/// The tables CALL_COLUMNS reads: the records `r` with their client, agent
/// and the user who wrapped them up.
const CALL_FROM: &str = "call_records r LEFT JOIN clients rc ON rc.id = r.client_id
    LEFT JOIN users ra ON ra.id = r.agent_id LEFT JOIN users rw ON rw.id = r.wrapped_up_by";

fn call_from_row(r: &<Db as sqlx::Database>::Row) -> Result<StoredCallRecord, RepoError> {
    let text = |column: &str| -> Result<String, RepoError> { r.try_get(column).map_err(backend) };
    let sip_code = r
        .try_get::<Option<i32>, _>("sip_code")
        .map_err(backend)?
        .map(|code| u16::try_from(code).map_err(|_| RepoError::Backend(format!("unexpected sip_code {code} in the database"))))
        .transpose()?;
    let legs = serde_json::from_str(&text("legs")?)
        .map_err(|e| RepoError::Backend(format!("unreadable legs of a call record: {e}")))?;
    let hangup_by = r
        .try_get::<Option<String>, _>("hangup_by")
        .map_err(backend)?
        .map(|party| parse_stored("hangup_by", &party))
        .transpose()?;
    let record = CallRecord {
        call_id: text("call_id")?,
        direction: parse_stored("direction", &text("direction")?)?,
        trunk: r.try_get("trunk").map_err(backend)?,
        caller: text("caller")?,
        caller_e164: r.try_get("caller_e164").map_err(backend)?,
        caller_name: r.try_get("caller_name").map_err(backend)?,
        called: text("called")?,
        original_called: r.try_get("original_called").map_err(backend)?,
        answered_by: r.try_get("answered_by").map_err(backend)?,
        dialplan_rule: r.try_get("dialplan_rule").map_err(backend)?,
        party_e164: r.try_get("party_e164").map_err(backend)?,
        queue: r.try_get("queue").map_err(backend)?,
        arrived_at: r.try_get("arrived_at").map_err(backend)?,
        queued_at: r.try_get("queued_at").map_err(backend)?,
        offered_at: r.try_get("offered_at").map_err(backend)?,
        answered_at: r.try_get("answered_at").map_err(backend)?,
        ended_at: r.try_get("ended_at").map_err(backend)?,
        outcome: parse_stored("outcome", &text("outcome")?)?,
        hangup_by,
        sip_code,
        legs,
        recording: match (
            r.try_get::<Option<String>, _>("recording").map_err(backend)?,
            r.try_get::<Option<i64>, _>("recording_ms").map_err(backend)?,
        ) {
            (Some(file), ms) => Some(crate::crm::calls::RecordingRef {
                file,
                duration_ms: ms.unwrap_or(0).max(0) as u64,
            }),
            (None, _) => None,
        },
    };
    let named = |id: &str, name: &str| -> Result<Option<Named>, RepoError> {
        Ok(match r.try_get::<Option<i64>, _>(id).map_err(backend)? {
            Some(id) => Some(Named {
                id,
                name: r.try_get::<Option<String>, _>(name).map_err(backend)?.unwrap_or_default(),
            }),
            None => None,
        })
    };
    let mut stored = StoredCallRecord::new(CallRecordId(r.try_get("id").map_err(backend)?), record);
    stored.client = named("client_id", "client_name")?;
    stored.agent = named("agent_id", "agent_name")?;
    stored.wrap_up = match (
        r.try_get::<Option<String>, _>("result").map_err(backend)?,
        r.try_get::<Option<DateTime<Utc>>, _>("wrapped_up_at").map_err(backend)?,
    ) {
        (Some(result), Some(at)) => Some(WrapUp {
            result,
            notes: r.try_get("notes").map_err(backend)?,
            by: named("wrapped_up_by", "wrapped_up_by_name")?,
            at,
        }),
        _ => None,
    };
    Ok(stored)
}

/// Appends the call records (aliased `r`) a scope reaches.
fn push_call_scope(qb: &mut QueryBuilder<Db>, scope: &CallScope) {
    let extensions = match scope {
        CallScope::All => {
            qb.push(" (1 = 1) ");
            return;
        }
        CallScope::Extensions(extensions) if extensions.is_empty() => {
            qb.push(" (1 = 0) ");
            return;
        }
        CallScope::Extensions(extensions) => extensions,
    };
    for (i, column) in ["r.answered_by", "r.caller"].into_iter().enumerate() {
        qb.push(if i == 0 { " (" } else { " OR " }).push(column).push(" IN (");
        for (j, extension) in extensions.iter().enumerate() {
            qb.push(if j == 0 { "" } else { ", " }).push_bind(extension.clone());
        }
        qb.push(")");
    }
    qb.push(") ");
}

fn push_call_filter(qb: &mut QueryBuilder<Db>, filter: &CallFilter) {
    if let Some(call_id) = &filter.call_id {
        qb.push(" AND r.call_id = ").push_bind(call_id.clone());
    }
    if let Some(queue) = &filter.queue {
        qb.push(" AND r.queue = ").push_bind(queue.clone());
    }
    if let Some(direction) = filter.direction {
        qb.push(" AND r.direction = ").push_bind(direction.as_str());
    }
    if let Some(outcome) = filter.outcome {
        qb.push(" AND r.outcome = ").push_bind(outcome.as_str());
    }
    if let Some(extension) = &filter.extension {
        qb.push(" AND (r.answered_by = ").push_bind(extension.clone());
        qb.push(" OR r.caller = ").push_bind(extension.clone()).push(")");
    }
    if let Some(number) = &filter.number {
        let pattern = format!("%{}%", like_escape(&number.text));
        qb.push(" AND (");
        for (i, column) in ["r.caller", "r.called", "r.original_called", "r.caller_e164"].into_iter().enumerate() {
            if i > 0 {
                qb.push(" OR ");
            }
            qb.push(column).push(" LIKE ").push_bind(pattern.clone()).push(" ESCAPE '\\'");
        }
        if let Some(e164) = &number.e164 {
            qb.push(" OR r.caller_e164 = ").push_bind(e164.clone());
        }
        qb.push(")");
    }
    if let Some(from) = filter.from {
        qb.push(" AND r.arrived_at >= ").push_bind(from);
    }
    if let Some(to) = filter.to {
        qb.push(" AND r.arrived_at < ").push_bind(to);
    }
}

/// Stores one record in `tx` and files it in the CRM (see [`file_call`]);
/// a record whose `call_id` is stored already is left as it is.
async fn insert_call_record(tx: &mut Tx<'_>, record: &CallRecord) -> Result<(), RepoError> {
    let legs = serde_json::to_string(&record.legs).map_err(|e| invalid("legs", &e.to_string()))?;
    // Every stored time is to the second (see crm::whole_seconds); text
    // goes through `storable` so both backends keep the same characters.
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO call_records (call_id, direction, trunk, caller, caller_e164, caller_name, called, original_called,
                                   answered_by, dialplan_rule, arrived_at, answered_at, ended_at, outcome, hangup_by,
                                   sip_code, legs, recording, recording_ms, party_e164, queue, queued_at, offered_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)
         ON CONFLICT (call_id) DO NOTHING RETURNING id",
    )
    .bind(storable(&record.call_id))
    .bind(record.direction.as_str())
    .bind(record.trunk.as_deref().map(storable))
    .bind(storable(&record.caller))
    .bind(record.caller_e164.as_deref().map(storable))
    .bind(record.caller_name.as_deref().map(storable))
    .bind(storable(&record.called))
    .bind(record.original_called.as_deref().map(storable))
    .bind(record.answered_by.as_deref().map(storable))
    .bind(record.dialplan_rule.as_deref().map(storable))
    .bind(crate::crm::whole_seconds(record.arrived_at))
    .bind(record.answered_at.map(crate::crm::whole_seconds))
    .bind(crate::crm::whole_seconds(record.ended_at))
    .bind(record.outcome.as_str())
    .bind(record.hangup_by.map(|party| party.as_str()))
    .bind(record.sip_code.map(i32::from))
    .bind(storable(&legs))
    .bind(record.recording.as_ref().map(|r| storable(&r.file)))
    .bind(record.recording.as_ref().map(|r| i64::try_from(r.duration_ms).unwrap_or(i64::MAX)))
    .bind(record.party_e164.as_deref().map(storable))
    .bind(record.queue.as_deref().map(storable))
    .bind(record.queued_at.map(crate::crm::whole_seconds))
    .bind(record.offered_at.map(crate::crm::whole_seconds))
    .fetch_optional(&mut **tx)
    .await
    .map_err(refused_or_backend)?;
    match id {
        Some(id) => file_call(tx, id, record).await,
        None => Ok(()), // stored before
    }
}

/// The client an outside number belongs to: the one that has had it
/// longest, with the contact person the number is of, and who looks
/// after the client.
struct NumberOwner {
    client: i64,
    person: Option<i64>,
    responsible: Option<i64>,
}

async fn owner_of_number(tx: &mut Tx<'_>, e164: &str) -> Result<Option<NumberOwner>, RepoError> {
    let row = sqlx::query(
        "SELECT p.client_id, p.contact_person_id, c.responsible_id FROM phones p JOIN clients c ON c.id = p.client_id
         WHERE p.e164 = $1 ORDER BY p.client_id, p.position LIMIT 1",
    )
    .bind(e164)
    .fetch_optional(&mut **tx)
    .await
    .map_err(backend)?;
    row.map(|r| {
        Ok(NumberOwner {
            client: r.try_get("client_id").map_err(backend)?,
            person: r.try_get("contact_person_id").map_err(backend)?,
            responsible: r.try_get("responsible_id").map_err(backend)?,
        })
    })
    .transpose()
}

/// The active user whose extension this is.
async fn user_of_extension(tx: &mut Tx<'_>, extension: &str) -> Result<Option<i64>, RepoError> {
    sqlx::query_scalar(
        "SELECT s.user_id FROM sip_accounts s JOIN users u ON u.id = s.user_id WHERE s.extension = $1 AND u.active",
    )
    .bind(extension)
    .fetch_optional(&mut **tx)
    .await
    .map_err(backend)
}

/// What the CRM makes of a call just stored: the agent who answered, the
/// client of the outside number and the client's interaction for the call
/// (an unknown number's call waits for a client to get the number, see
/// [`link_unknown_calls`]), and a callback task when nobody took it.
async fn file_call(tx: &mut Tx<'_>, id: i64, record: &CallRecord) -> Result<(), RepoError> {
    let agent = match &record.answered_by {
        Some(extension) => user_of_extension(tx, extension).await?,
        None => None,
    };
    let owner = match (&record.party_e164, record.contact_direction()) {
        (Some(e164), Some(_)) => owner_of_number(tx, e164).await?,
        _ => None,
    };
    if agent.is_some() || owner.is_some() {
        sqlx::query("UPDATE call_records SET agent_id = $1, client_id = $2 WHERE id = $3")
            .bind(agent)
            .bind(owner.as_ref().map(|o| o.client))
            .bind(id)
            .execute(&mut **tx)
            .await
            .map_err(backend)?;
    }
    // Who a missed call is for: the last agent it rang.
    let rang = match record.legs.last() {
        Some(leg) if agent.is_none() => user_of_extension(tx, &leg.extension_or_number).await?,
        _ => None,
    };
    if let Some(owner) = &owner {
        let responsible = agent.or(rang).or(owner.responsible);
        let result = campaign_result(tx, id, record, agent).await?;
        let wrap_up = result.as_ref().map(|(result, notes)| (result.as_str(), notes.as_deref()));
        add_call_interaction(tx, id, record, owner, responsible, wrap_up).await?;
    }
    if let Some(title) = record.callback_title() {
        add_callback_task(tx, id, record, &title, owner.as_ref(), rang).await?;
    } else if record.answered_at.is_some() && record.contact_direction().is_some() {
        close_callback_tasks(tx, record).await?;
    }
    if record.direction == crate::crm::calls::Direction::Outbound {
        note_campaign_attempt(tx, record).await?;
    }
    Ok(())
}

/// The result an agent already gave the campaign lead this call was to
/// (they may record it while still talking, before the call is stored),
/// put on the record as its wrap-up: the client's contact history shows
/// it. The lead is the one given to be called within the hour before the
/// call, to the agent who placed the call or by the campaign whose queue
/// put it through.
async fn campaign_result(
    tx: &mut Tx<'_>,
    id: i64,
    record: &CallRecord,
    agent: Option<i64>,
) -> Result<Option<(String, Option<String>)>, RepoError> {
    let Some(number) = record.party_e164.as_deref() else {
        return Ok(None);
    };
    if record.direction != crate::crm::calls::Direction::Outbound {
        return Ok(None);
    }
    let campaign = (record.queue.as_deref()).and_then(crate::crm::campaigns::campaign_of_queue);
    let caller = user_of_extension(tx, &record.caller).await?;
    let Some(by) = agent.or(caller) else {
        return Ok(None);
    };
    let arrived = crate::crm::whole_seconds(record.arrived_at);
    let row: Option<(String, Option<String>, i64)> = sqlx::query_as(
        "SELECT result, notes, agent_id FROM campaign_leads
         WHERE number = $1 AND result IS NOT NULL AND agent_id = $2
           AND dialled_at <= $3 AND dialled_at >= $4 AND ($5 IS NULL OR campaign_id = $5)
         ORDER BY dialled_at DESC LIMIT 1",
    )
    .bind(number)
    .bind(by)
    .bind(arrived + chrono::Duration::seconds(5))
    .bind(arrived - chrono::Duration::hours(1))
    .bind(campaign)
    .fetch_optional(&mut **tx)
    .await
    .map_err(backend)?;
    let Some((result, notes, by)) = row else {
        return Ok(None);
    };
    sqlx::query("UPDATE call_records SET result = $1, notes = $2, wrapped_up_at = $3, wrapped_up_by = $4 WHERE id = $5")
        .bind(&result)
        .bind(notes.as_deref())
        .bind(crate::crm::whole_seconds(record.ended_at))
        .bind(by)
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    Ok(Some((result, notes)))
}

/// An agent's call out to a campaign lead they are dialling (preview): the
/// lead learns how the call came out as SIP told it, before the agent says.
async fn note_campaign_attempt(tx: &mut Tx<'_>, record: &CallRecord) -> Result<(), RepoError> {
    use crate::crm::calls::Outcome;
    let Some(number) = record.party_e164.as_deref() else {
        return Ok(());
    };
    let Some(agent) = user_of_extension(tx, &record.caller).await? else {
        return Ok(());
    };
    let outcome = match record.outcome {
        Outcome::Answered => "answered",
        Outcome::Busy => "busy",
        // The agent hung up while it rang: nobody answered.
        Outcome::NoAnswer | Outcome::Cancelled => "no_answer",
        Outcome::Rejected | Outcome::Failed | Outcome::Unavailable => "failed",
    };
    sqlx::query(
        "UPDATE campaign_leads SET last_outcome = $1
         WHERE number = $2 AND state = 'dialling' AND agent_id = $3",
    )
    .bind(outcome)
    .bind(number)
    .bind(agent)
    .execute(&mut **tx)
    .await
    .map_err(backend)?;
    Ok(())
}

/// The caller was reached (they called again and were answered, or an
/// agent called them back): their open callback tasks are done.
async fn close_callback_tasks(tx: &mut Tx<'_>, record: &CallRecord) -> Result<(), RepoError> {
    let Some(number) = record.party_e164.as_deref() else {
        return Ok(());
    };
    sqlx::query(
        "UPDATE tasks SET state = 'done', completed_at = $1
         WHERE state = 'open' AND call_record_id IN (
             SELECT r.id FROM call_records r
             WHERE r.party_e164 = $2 OR (r.party_e164 IS NULL AND r.caller = $2))",
    )
    .bind(crate::crm::whole_seconds(record.ended_at))
    .bind(number)
    .execute(&mut **tx)
    .await
    .map_err(backend)?;
    Ok(())
}

/// The client's interaction for a call: held and done when answered, not
/// done when missed, with the agent's wrap-up when there is one already.
async fn add_call_interaction(
    tx: &mut Tx<'_>,
    id: i64,
    record: &CallRecord,
    owner: &NumberOwner,
    responsible: Option<i64>,
    wrap_up: Option<(&str, Option<&str>)>,
) -> Result<(), RepoError> {
    use crate::crm::interactions::{InteractionState, InteractionStatus, InteractionType, Priority};
    let Some(direction) = record.contact_direction() else {
        return Ok(());
    };
    let state = if record.answered_at.is_some() {
        InteractionState::Done
    } else {
        InteractionState::NotDone
    };
    sqlx::query(
        "INSERT INTO interactions (client_id, contact_person_id, channel, direction, started_at, duration_s, priority,
                                   type, state, status, responsible_id, result, notes, created_at, call_record_id)
         VALUES ($1, $2, 'call', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (call_record_id) DO NOTHING",
    )
    .bind(owner.client)
    .bind(owner.person)
    .bind(direction.as_str())
    .bind(crate::crm::whole_seconds(record.arrived_at))
    .bind(record.talk_seconds())
    .bind(Priority::Medium.as_str())
    .bind(InteractionType::Other.as_str())
    .bind(state.as_str())
    .bind(InteractionStatus::Held.as_str())
    .bind(responsible)
    .bind(wrap_up.map(|(result, _)| result))
    .bind(wrap_up.and_then(|(_, notes)| notes))
    .bind(crate::crm::whole_seconds(record.ended_at))
    .bind(id)
    .execute(&mut **tx)
    .await
    .map_err(backend)?;
    Ok(())
}

/// A task to call back a caller nobody took, for the last agent it rang,
/// else whoever looks after the client, else the first supervisor (else
/// admin). A number that has an open callback task already gets no
/// second one: the caller who tried three times wants one call back.
async fn add_callback_task(
    tx: &mut Tx<'_>,
    id: i64,
    record: &CallRecord,
    title: &str,
    owner: Option<&NumberOwner>,
    rang: Option<i64>,
) -> Result<(), RepoError> {
    let number = record.party_e164.as_deref().unwrap_or(&record.caller);
    let open: Option<i64> = sqlx::query_scalar(
        "SELECT t.id FROM tasks t JOIN call_records r ON r.id = t.call_record_id
         WHERE t.state = 'open' AND (r.party_e164 = $1 OR (r.party_e164 IS NULL AND r.caller = $1)) LIMIT 1",
    )
    .bind(number)
    .fetch_optional(&mut **tx)
    .await
    .map_err(backend)?;
    if open.is_some() {
        return Ok(());
    }
    let fallback: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM users WHERE active AND role IN ('supervisor', 'admin')
         ORDER BY CASE role WHEN 'supervisor' THEN 0 ELSE 1 END, id LIMIT 1",
    )
    .fetch_optional(&mut **tx)
    .await
    .map_err(backend)?;
    let Some(responsible) = rang.or(owner.and_then(|o| o.responsible)).or(fallback) else {
        tracing::warn!(call = %record.call_id, "no user to call back a missed call: the server has no supervisor or admin");
        return Ok(());
    };
    let waited = record.wait_seconds();
    sqlx::query(
        "INSERT INTO tasks (client_id, title, notes, due_at, responsible_id, state, created_at, call_record_id)
         VALUES ($1, $2, $3, $4, $5, 'open', $4, $6)",
    )
    .bind(owner.map(|o| o.client))
    .bind(storable(title))
    .bind(format!("The caller waited {waited} s and hung up before anyone answered."))
    .bind(crate::crm::whole_seconds(record.ended_at))
    .bind(responsible)
    .bind(id)
    .execute(&mut **tx)
    .await
    .map_err(backend)?;
    Ok(())
}

/// Files the calls of unknown numbers that `client` has now: each gets its
/// interaction on the client, and its callback task the client. Runs in
/// the transaction that gave the client the numbers.
async fn link_unknown_calls(tx: &mut Tx<'_>, client: ClientId) -> Result<(), RepoError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CALL_COLUMNS}, p.contact_person_id AS number_person, c.responsible_id AS client_responsible
         FROM {CALL_FROM} JOIN phones p ON p.e164 = r.party_e164 JOIN clients c ON c.id = p.client_id
         WHERE r.client_id IS NULL AND r.direction <> 'internal' AND p.client_id = $1
         ORDER BY r.id, p.position"
    )))
    .bind(client.0)
    .fetch_all(&mut **tx)
    .await
    .map_err(backend)?;
    let mut linked = Vec::new();
    for row in &rows {
        let call = call_from_row(row)?;
        if linked.contains(&call.id.0) {
            continue; // the client has the number twice
        }
        linked.push(call.id.0);
        let owner = NumberOwner {
            client: client.0,
            person: row.try_get("number_person").map_err(backend)?,
            responsible: row.try_get("client_responsible").map_err(backend)?,
        };
        let rang = match (&call.agent, call.record.legs.last()) {
            (None, Some(leg)) => user_of_extension(tx, &leg.extension_or_number).await?,
            _ => None,
        };
        let responsible = call.agent.as_ref().map(|a| a.id).or(rang).or(owner.responsible);
        let wrap_up = call.wrap_up.as_ref().map(|w| (w.result.as_str(), w.notes.as_deref()));
        add_call_interaction(tx, call.id.0, &call.record, &owner, responsible, wrap_up).await?;
        for statement in [
            "UPDATE call_records SET client_id = $1 WHERE id = $2",
            "UPDATE tasks SET client_id = $1 WHERE call_record_id = $2 AND client_id IS NULL",
        ] {
            sqlx::query(statement).bind(client.0).bind(call.id.0).execute(&mut **tx).await.map_err(backend)?;
        }
    }
    Ok(())
}

#[async_trait]
impl CallRecordRepo for Store {
    async fn record_call(&self, record: &CallRecord) -> Result<(), RepoError> {
        self.record_calls(std::slice::from_ref(record)).await
    }

    async fn record_calls(&self, records: &[CallRecord]) -> Result<(), RepoError> {
        // One commit for many records: at a thousand calls a second a commit
        // each kept the database thread a fifth of a core busy writing the
        // same index pages to the WAL again and again.
        let mut tx = self.begin_write().await?;
        for record in records {
            insert_call_record(&mut tx, record).await?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn list_calls(&self, scope: &CallScope, filter: &CallFilter, page: &PageRequest) -> Result<Page<StoredCallRecord>, RepoError> {
        let mut qb = QueryBuilder::<Db>::new(format!("SELECT {CALL_COLUMNS} FROM {CALL_FROM} WHERE "));
        push_call_scope(&mut qb, scope);
        push_call_filter(&mut qb, filter);
        if let Some(after) = &page.after {
            let at = DateTime::parse_from_rfc3339(after.key.as_deref().unwrap_or_default())
                .map_err(|_| invalid("cursor", "is not a cursor from this API"))?
                .with_timezone(&Utc);
            qb.push(" AND (r.arrived_at < ").push_bind(at).push(" OR (r.arrived_at = ").push_bind(at);
            qb.push(" AND r.id < ").push_bind(after.id).push("))");
        }
        qb.push(" ORDER BY r.arrived_at DESC, r.id DESC LIMIT ").push_bind(page.fetch_limit());
        let rows = qb.build().fetch_all(&self.pool).await.map_err(backend)?;
        let items = rows.iter().map(call_from_row).collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_rows(items, page, |c| Cursor {
            key: Some(c.record.arrived_at.to_rfc3339()),
            id: c.id.0,
        }))
    }

    async fn call(&self, scope: &CallScope, id: CallRecordId) -> Result<StoredCallRecord, RepoError> {
        let mut qb = QueryBuilder::<Db>::new(format!("SELECT {CALL_COLUMNS} FROM {CALL_FROM} WHERE r.id = "));
        qb.push_bind(id.0).push(" AND ");
        push_call_scope(&mut qb, scope);
        let row = qb.build().fetch_optional(&self.pool).await.map_err(backend)?.ok_or(RepoError::NotFound)?;
        call_from_row(&row)
    }

    async fn call_out_to(
        &self,
        number: &str,
        since: DateTime<Utc>,
        queue: &str,
        extensions: &[String],
    ) -> Result<Option<CallRecordId>, RepoError> {
        let mut qb = QueryBuilder::<Db>::new(
            "SELECT r.id FROM call_records r WHERE r.direction = 'outbound' AND r.party_e164 = ",
        );
        qb.push_bind(number.to_string())
            .push(" AND r.arrived_at >= ")
            .push_bind(crate::crm::whole_seconds(since))
            .push(" AND (r.queue = ")
            .push_bind(queue.to_string())
            .push(" OR ");
        push_call_scope(&mut qb, &CallScope::Extensions(extensions.to_vec()));
        qb.push(") ORDER BY r.id DESC LIMIT 1");
        let id: Option<i64> = qb.build_query_scalar().fetch_optional(&self.pool).await.map_err(backend)?;
        Ok(id.map(CallRecordId))
    }

    async fn wrap_up_call(
        &self,
        scope: &CallScope,
        id: CallRecordId,
        by: UserId,
        wrap_up: &NewWrapUp,
        now: DateTime<Utc>,
    ) -> Result<StoredCallRecord, RepoError> {
        let mut tx = self.begin_write().await?;
        let mut qb = QueryBuilder::<Db>::new("SELECT r.client_id FROM call_records r WHERE r.id = ");
        qb.push_bind(id.0).push(" AND ");
        push_call_scope(&mut qb, scope);
        let row = qb.build().fetch_optional(&mut *tx).await.map_err(backend)?.ok_or(RepoError::NotFound)?;
        let client: Option<i64> = row.try_get("client_id").map_err(backend)?;
        let result = storable(&wrap_up.result);
        let notes = wrap_up.notes.as_deref().map(storable);
        let now = crate::crm::whole_seconds(now);
        sqlx::query("UPDATE call_records SET result = $1, notes = $2, wrapped_up_at = $3, wrapped_up_by = $4 WHERE id = $5")
            .bind(&result)
            .bind(notes.as_deref())
            .bind(now)
            .bind(by.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        sqlx::query("UPDATE interactions SET result = $1, notes = $2 WHERE call_record_id = $3")
            .bind(&result)
            .bind(notes.as_deref())
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        let mut diff = crate::crm::audit::Diff::default();
        diff.field("result", None, Some(&result));
        diff.field("notes", None, notes.as_deref());
        write_audit(&mut tx, now, Some(by), "call_record", id.0, "wrap_up", &diff.into_changes()).await?;
        if let Some(follow_up) = &wrap_up.follow_up {
            let task: i64 = sqlx::query_scalar(
                "INSERT INTO tasks (client_id, title, notes, due_at, responsible_id, state, created_by, created_at, call_record_id)
                 VALUES ($1, $2, $3, $4, $5, 'open', $5, $6, $7) RETURNING id",
            )
            .bind(client)
            .bind(storable(&follow_up.title))
            .bind(notes.as_deref())
            .bind(crate::crm::whole_seconds(follow_up.due_at))
            .bind(by.0)
            .bind(now)
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
            write_audit(&mut tx, now, Some(by), "task", task, "create", &[]).await?;
        }
        tx.commit().await.map_err(backend)?;
        self.call(&CallScope::All, id).await
    }
}
