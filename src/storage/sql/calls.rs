// Call detail records (included by both backends).

const CALL_COLUMNS: &str = "r.id, r.call_id, r.direction, r.trunk, r.caller, r.caller_e164, r.caller_name, r.called,
    r.original_called, r.answered_by, r.dialplan_rule, r.arrived_at, r.answered_at, r.ended_at, r.outcome,
    r.hangup_by, r.sip_code, r.legs, r.recording, r.recording_ms";

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
        arrived_at: r.try_get("arrived_at").map_err(backend)?,
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
    Ok(StoredCallRecord::new(CallRecordId(r.try_get("id").map_err(backend)?), record))
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

/// Stores one record in `tx`; a record whose `call_id` is stored already
/// is left as it is.
async fn insert_call_record(tx: &mut Tx<'_>, record: &CallRecord) -> Result<(), RepoError> {
    let legs = serde_json::to_string(&record.legs).map_err(|e| invalid("legs", &e.to_string()))?;
    // Every stored time is to the second (see crm::whole_seconds); text
    // goes through `storable` so both backends keep the same characters.
    sqlx::query(
        "INSERT INTO call_records (call_id, direction, trunk, caller, caller_e164, caller_name, called, original_called,
                                   answered_by, dialplan_rule, arrived_at, answered_at, ended_at, outcome, hangup_by,
                                   sip_code, legs, recording, recording_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
         ON CONFLICT (call_id) DO NOTHING",
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
    .execute(&mut **tx)
    .await
    .map_err(refused_or_backend)?;
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
        let mut tx = self.pool.begin().await.map_err(backend)?;
        for record in records {
            insert_call_record(&mut tx, record).await?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn list_calls(&self, scope: &CallScope, filter: &CallFilter, page: &PageRequest) -> Result<Page<StoredCallRecord>, RepoError> {
        let mut qb = QueryBuilder::<Db>::new(format!("SELECT {CALL_COLUMNS} FROM call_records r WHERE "));
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
        let mut qb = QueryBuilder::<Db>::new(format!("SELECT {CALL_COLUMNS} FROM call_records r WHERE r.id = "));
        qb.push_bind(id.0).push(" AND ");
        push_call_scope(&mut qb, scope);
        let row = qb.build().fetch_optional(&self.pool).await.map_err(backend)?.ok_or(RepoError::NotFound)?;
        call_from_row(&row)
    }
}
