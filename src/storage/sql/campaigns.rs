// Outbound campaigns (included by both backends).

/// The columns `campaign_of` reads.
const CAMPAIGN_COLUMNS: &str = "id, name, settings, state, created_at, updated_at";

fn campaign_of(row: &<Db as sqlx::Database>::Row) -> Result<Campaign, RepoError> {
    let settings: String = row.try_get("settings").map_err(backend)?;
    let settings = serde_json::from_str(&settings)
        .map_err(|e| RepoError::Backend(format!("unreadable settings of a campaign: {e}")))?;
    Ok(Campaign {
        id: row.try_get("id").map_err(backend)?,
        name: row.try_get("name").map_err(backend)?,
        settings,
        state: parse_stored("state", &row.try_get::<String, _>("state").map_err(backend)?)?,
        created_at: row.try_get("created_at").map_err(backend)?,
        updated_at: row.try_get("updated_at").map_err(backend)?,
    })
}

/// `Invalid` naming `settings.agents` unless every agent is an active user.
async fn check_campaign_agents(tx: &mut Tx<'_>, agents: &[UserId]) -> Result<(), RepoError> {
    for agent in agents {
        let active: Option<bool> = sqlx::query_scalar("SELECT active FROM users WHERE id = $1")
            .bind(agent.0)
            .fetch_optional(&mut **tx)
            .await
            .map_err(backend)?;
        if active != Some(true) {
            return Err(RepoError::Invalid(crate::crm::FieldErrors::single(
                "settings.agents",
                format!("user {} is no active user", agent.0),
            )));
        }
    }
    Ok(())
}

#[async_trait]
impl CampaignRepo for Store {
    async fn campaigns(&self) -> Result<Vec<Campaign>, RepoError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns ORDER BY name")))
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter().map(campaign_of).collect()
    }

    async fn campaign(&self, id: i64) -> Result<Option<Campaign>, RepoError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.as_ref().map(campaign_of).transpose()
    }

    async fn create_campaign(
        &self,
        actor: UserId,
        name: &str,
        settings: &CampaignSettings,
        now: DateTime<Utc>,
    ) -> Result<i64, RepoError> {
        let text = serde_json::to_string(settings).map_err(|e| RepoError::Backend(e.to_string()))?;
        let mut tx = self.begin_write().await?;
        check_campaign_agents(&mut tx, &settings.agents).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO campaigns (name, settings, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
        )
        .bind(name)
        .bind(&text)
        .bind(actor.0)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(conflict_on("name"))?;
        let mut diff = crate::crm::audit::Diff::default();
        diff.field("name", None, Some(name));
        diff.field("settings", None, Some(&text));
        write_audit(&mut tx, now, Some(actor), "campaign", id, "create", &diff.into_changes()).await?;
        tx.commit().await.map_err(backend)?;
        Ok(id)
    }

    async fn update_campaign(
        &self,
        actor: UserId,
        id: i64,
        name: &str,
        settings: &CampaignSettings,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        let text = serde_json::to_string(settings).map_err(|e| RepoError::Backend(e.to_string()))?;
        let mut tx = self.begin_write().await?;
        let before: Option<(String, String)> = sqlx::query_as("SELECT name, settings FROM campaigns WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
        let (old_name, old_settings) = before.ok_or(RepoError::NotFound)?;
        check_campaign_agents(&mut tx, &settings.agents).await?;
        sqlx::query("UPDATE campaigns SET name = $1, settings = $2, updated_at = $3 WHERE id = $4")
            .bind(name)
            .bind(&text)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(conflict_on("name"))?;
        let mut diff = crate::crm::audit::Diff::default();
        diff.field("name", Some(&old_name), Some(name));
        diff.field("settings", Some(&old_settings), Some(&text));
        write_audit(&mut tx, now, Some(actor), "campaign", id, "update", &diff.into_changes()).await?;
        tx.commit().await.map_err(backend)
    }

    async fn delete_campaign(&self, actor: UserId, id: i64, now: DateTime<Utc>) -> Result<(), RepoError> {
        let mut tx = self.begin_write().await?;
        let deleted: Option<i64> = sqlx::query_scalar("DELETE FROM campaigns WHERE id = $1 RETURNING id")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
        deleted.ok_or(RepoError::NotFound)?;
        write_audit(&mut tx, now, Some(actor), "campaign", id, "delete", &[]).await?;
        tx.commit().await.map_err(backend)
    }

    async fn set_campaign_state(
        &self,
        actor: UserId,
        id: i64,
        state: RunState,
        now: DateTime<Utc>,
    ) -> Result<Campaign, RepoError> {
        let mut tx = self.begin_write().await?;
        let before: Option<String> = sqlx::query_scalar("SELECT state FROM campaigns WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
        let before = before.ok_or(RepoError::NotFound)?;
        if before != state.as_str() {
            sqlx::query("UPDATE campaigns SET state = $1, updated_at = $2 WHERE id = $3")
                .bind(state.as_str())
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            let mut diff = crate::crm::audit::Diff::default();
            diff.field("state", Some(&before), Some(state.as_str()));
            write_audit(&mut tx, now, Some(actor), "campaign", id, "update", &diff.into_changes()).await?;
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1")))
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
        let campaign = campaign_of(&row)?;
        tx.commit().await.map_err(backend)?;
        Ok(campaign)
    }

    async fn running_campaigns(&self) -> Result<Vec<Campaign>, RepoError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE state = 'running' ORDER BY name"
        )))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(campaign_of).collect()
    }
}

/// The columns `lead_of` reads, from `campaign_leads l` and `clients c`.
const LEAD_COLUMNS: &str = "l.id, l.campaign_id, l.client_id, c.name AS client_name, l.number, l.priority, l.state, l.closed_as,
    l.attempts, l.next_at, l.last_outcome, l.result, l.agent_id, l.notes, l.callback_agent_id, l.dialled_at";

fn lead_of(row: &<Db as sqlx::Database>::Row) -> Result<CampaignLead, RepoError> {
    Ok(CampaignLead {
        id: row.try_get("id").map_err(backend)?,
        campaign_id: row.try_get("campaign_id").map_err(backend)?,
        client_id: row.try_get("client_id").map_err(backend)?,
        client_name: row.try_get("client_name").map_err(backend)?,
        number: row.try_get("number").map_err(backend)?,
        priority: row.try_get("priority").map_err(backend)?,
        state: row.try_get("state").map_err(backend)?,
        closed_as: row.try_get("closed_as").map_err(backend)?,
        attempts: row.try_get("attempts").map_err(backend)?,
        next_at: row.try_get("next_at").map_err(backend)?,
        last_outcome: row.try_get("last_outcome").map_err(backend)?,
        result: row.try_get("result").map_err(backend)?,
        agent_id: row.try_get("agent_id").map_err(backend)?,
        callback_agent_id: row.try_get("callback_agent_id").map_err(backend)?,
        dialled_at: row.try_get("dialled_at").map_err(backend)?,
        notes: row.try_get("notes").map_err(backend)?,
    })
}

fn dnc_of(row: &<Db as sqlx::Database>::Row) -> Result<DncEntry, RepoError> {
    Ok(DncEntry {
        id: row.try_get("id").map_err(backend)?,
        campaign_id: row.try_get("campaign_id").map_err(backend)?,
        number: row.try_get("e164").map_err(backend)?,
        reason: row.try_get("reason").map_err(backend)?,
        created_at: row.try_get("created_at").map_err(backend)?,
    })
}

/// A campaign's leads counted by the values of `column` (a fixed column
/// name, never user input), NULLs left out.
async fn counts_by(
    pool: &sqlx::Pool<Db>,
    campaign: i64,
    column: &'static str,
) -> Result<std::collections::BTreeMap<String, i64>, RepoError> {
    let rows: Vec<(String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {column}, COUNT(*) FROM campaign_leads WHERE campaign_id = $1 AND {column} IS NOT NULL GROUP BY {column}"
    )))
    .bind(campaign)
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    Ok(rows.into_iter().collect())
}

async fn campaign_exists(pool: &sqlx::Pool<Db>, id: i64) -> Result<(), RepoError> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM campaigns WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(backend)?;
    found.map(|_| ()).ok_or(RepoError::NotFound)
}

/// The columns a lead's next state sets: state, next_at, closed_as,
/// whether the attempt is taken back, and whose callback it is.
fn next_columns(next: LeadNext<'_>) -> (&'static str, Option<DateTime<Utc>>, Option<&str>, bool, Option<UserId>) {
    match next {
        LeadNext::Waiting { at, uncount } => ("waiting", Some(at), None, uncount, None),
        LeadNext::Callback { at, agent } => ("waiting", Some(at), None, false, agent),
        LeadNext::Closed(closed_as) => ("closed", None, Some(closed_as), false, None),
    }
}

#[async_trait]
impl CampaignLeadRepo for Store {
    async fn add_leads_from_clients(
        &self,
        campaign: i64,
        scope: ClientScope,
        filter: &ClientFilter,
        priority: i32,
        now: DateTime<Utc>,
    ) -> Result<u64, RepoError> {
        campaign_exists(&self.pool, campaign).await?;
        // One statement: a segment of a million clients never passes
        // through the server.
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO campaign_leads (campaign_id, client_id, number, priority, state, attempts, next_at, created_at)
             SELECT ",
        );
        qb.push_bind(campaign)
            .push(", c.id, p.e164, ")
            .push_bind(priority)
            .push(", 'waiting', 0, ")
            .push_bind(now)
            .push(", ")
            .push_bind(now)
            .push(
                " FROM clients c JOIN phones p ON p.id = (
                     SELECT p1.id FROM phones p1 WHERE p1.client_id = c.id AND p1.contact_person_id IS NULL
                     ORDER BY p1.position LIMIT 1)
                 WHERE",
            );
        push_client_scope(&mut qb, scope);
        push_client_filter(&mut qb, filter);
        qb.push(" ON CONFLICT (campaign_id, number) DO NOTHING");
        let done = qb.build().execute(&self.pool).await.map_err(backend)?;
        Ok(done.rows_affected())
    }

    async fn add_leads(&self, campaign: i64, leads: &[(String, i32)], now: DateTime<Utc>) -> Result<u64, RepoError> {
        campaign_exists(&self.pool, campaign).await?;
        let mut tx = self.begin_write().await?;
        let mut added = 0;
        for (number, priority) in leads {
            let done = sqlx::query(
                "INSERT INTO campaign_leads (campaign_id, client_id, number, priority, state, attempts, next_at, created_at)
                 VALUES ($1, (SELECT client_id FROM phones WHERE e164 = $2 ORDER BY client_id LIMIT 1), $2, $3, 'waiting', 0, $4, $4)
                 ON CONFLICT (campaign_id, number) DO NOTHING",
            )
            .bind(campaign)
            .bind(number)
            .bind(priority)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
            added += done.rows_affected();
        }
        tx.commit().await.map_err(backend)?;
        Ok(added)
    }

    async fn campaign_leads(&self, campaign: i64, page: &PageRequest) -> Result<Page<CampaignLead>, RepoError> {
        campaign_exists(&self.pool, campaign).await?;
        let after = page.after.as_ref().map_or(0, |c| c.id);
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {LEAD_COLUMNS} FROM campaign_leads l LEFT JOIN clients c ON c.id = l.client_id
             WHERE l.campaign_id = $1 AND l.id > $2 ORDER BY l.id LIMIT $3"
        )))
        .bind(campaign)
        .bind(after)
        .bind(page.fetch_limit())
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        let items = rows.iter().map(lead_of).collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_rows(items, page, |l| Cursor { key: None, id: l.id }))
    }

    async fn dnc_list(&self, campaign: Option<i64>) -> Result<Vec<DncEntry>, RepoError> {
        let rows = match campaign {
            None => sqlx::query("SELECT id, campaign_id, e164, reason, created_at FROM dnc_numbers WHERE campaign_id IS NULL ORDER BY e164")
                .fetch_all(&self.pool)
                .await,
            Some(id) => sqlx::query("SELECT id, campaign_id, e164, reason, created_at FROM dnc_numbers WHERE campaign_id = $1 ORDER BY e164")
                .bind(id)
                .fetch_all(&self.pool)
                .await,
        }
        .map_err(backend)?;
        rows.iter().map(dnc_of).collect()
    }

    async fn add_dnc(
        &self,
        actor: UserId,
        campaign: Option<i64>,
        number: &str,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<i64, RepoError> {
        if let Some(id) = campaign {
            campaign_exists(&self.pool, id).await?;
        }
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO dnc_numbers (campaign_id, e164, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(campaign)
        .bind(number)
        .bind(reason)
        .bind(actor.0)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(conflict_on("number"))?;
        let mut diff = crate::crm::audit::Diff::default();
        diff.field("number", None, Some(number));
        write_audit(&mut tx, now, Some(actor), "dnc_number", id, "create", &diff.into_changes()).await?;
        tx.commit().await.map_err(backend)?;
        Ok(id)
    }

    async fn delete_dnc(&self, actor: UserId, id: i64, now: DateTime<Utc>) -> Result<(), RepoError> {
        let mut tx = self.begin_write().await?;
        let deleted: Option<i64> = sqlx::query_scalar("DELETE FROM dnc_numbers WHERE id = $1 RETURNING id")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
        deleted.ok_or(RepoError::NotFound)?;
        write_audit(&mut tx, now, Some(actor), "dnc_number", id, "delete", &[]).await?;
        tx.commit().await.map_err(backend)
    }

    async fn due_leads(
        &self,
        campaign: i64,
        agent: Option<UserId>,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<CampaignLead>, RepoError> {
        // With no agent $3 is NULL: `= NULL` is never true, so only leads
        // promised to nobody are given.
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {LEAD_COLUMNS} FROM campaign_leads l LEFT JOIN clients c ON c.id = l.client_id
             WHERE l.campaign_id = $1 AND l.state = 'waiting' AND l.next_at <= $2
               AND (l.callback_agent_id IS NULL OR l.callback_agent_id = $3)
             ORDER BY CASE WHEN l.callback_agent_id = $3 THEN 0 ELSE 1 END, l.priority DESC, l.next_at, l.id
             LIMIT $4"
        )))
        .bind(campaign)
        .bind(now)
        .bind(agent.map(|a| a.0))
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(lead_of).collect()
    }

    async fn number_in_progress(&self, number: &str) -> Result<bool, RepoError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT id FROM campaign_leads WHERE number = $1 AND state = 'dialling' LIMIT 1")
                .bind(number)
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
        Ok(found.is_some())
    }

    async fn claim_lead(&self, lead: i64, agent: Option<UserId>, now: DateTime<Utc>) -> Result<bool, RepoError> {
        let done = sqlx::query(
            "UPDATE campaign_leads SET state = 'dialling', attempts = attempts + 1, agent_id = $1, dialled_at = $2
             WHERE id = $3 AND state = 'waiting'",
        )
        .bind(agent.map(|a| a.0))
        .bind(now)
        .bind(lead)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_lead_state(&self, lead: i64, next: LeadNext<'_>) -> Result<(), RepoError> {
        let query = match next {
            LeadNext::Waiting { at, .. } | LeadNext::Callback { at, .. } => {
                sqlx::query("UPDATE campaign_leads SET state = 'waiting', next_at = $1 WHERE id = $2").bind(at)
            }
            LeadNext::Closed(closed_as) => {
                sqlx::query("UPDATE campaign_leads SET state = 'closed', closed_as = $1 WHERE id = $2").bind(closed_as)
            }
        };
        query.bind(lead).execute(&self.pool).await.map_err(backend)?;
        Ok(())
    }

    async fn finish_lead(
        &self,
        lead: i64,
        agent: UserId,
        outcome: Option<&str>,
        result: Option<&str>,
        notes: Option<&str>,
        next: LeadNext<'_>,
    ) -> Result<CampaignLead, RepoError> {
        let (state, next_at, closed_as, uncount, promised) = next_columns(next);
        let done = sqlx::query(
            "UPDATE campaign_leads SET state = $1, next_at = COALESCE($2, next_at), closed_as = $3,
                    last_outcome = COALESCE($4, last_outcome), result = COALESCE($5, result),
                    notes = COALESCE($6, notes), attempts = attempts - $7, callback_agent_id = $8
             WHERE id = $9 AND state = 'dialling' AND agent_id = $10",
        )
        .bind(state)
        .bind(next_at)
        .bind(closed_as)
        .bind(outcome)
        .bind(result)
        .bind(notes)
        .bind(i32::from(uncount))
        .bind(promised.map(|a| a.0))
        .bind(lead)
        .bind(agent.0)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        if done.rows_affected() != 1 {
            return Err(RepoError::NotFound);
        }
        self.campaign_lead(lead).await?.ok_or(RepoError::NotFound)
    }

    async fn assign_lead(&self, lead: i64, agent: UserId) -> Result<bool, RepoError> {
        let done = sqlx::query(
            "UPDATE campaign_leads SET agent_id = $1 WHERE id = $2 AND state = 'dialling' AND agent_id IS NULL",
        )
        .bind(agent.0)
        .bind(lead)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    async fn end_dialled_lead(&self, lead: i64, outcome: &str, next: LeadNext<'_>) -> Result<(), RepoError> {
        let (state, next_at, closed_as, uncount, promised) = next_columns(next);
        let done = sqlx::query(
            "UPDATE campaign_leads SET state = $1, next_at = COALESCE($2, next_at), closed_as = $3,
                    last_outcome = $4, attempts = attempts - $5, callback_agent_id = $6
             WHERE id = $7 AND state = 'dialling'",
        )
        .bind(state)
        .bind(next_at)
        .bind(closed_as)
        .bind(outcome)
        .bind(i32::from(uncount))
        .bind(promised.map(|a| a.0))
        .bind(lead)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        if done.rows_affected() != 1 {
            return Err(RepoError::NotFound);
        }
        Ok(())
    }

    async fn record_attempt(&self, attempt: &AttemptRecord) -> Result<i64, RepoError> {
        // Whole seconds, as every stored time (SQLite compares them as text).
        let whole = crate::crm::whole_seconds;
        sqlx::query_scalar(
            "INSERT INTO campaign_attempts (campaign_id, lead_id, number, dialled_at, answered_at, connected_at,
                    ended_at, agent_id, outcome, sip_code, billed_seconds)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(attempt.campaign_id)
        .bind(attempt.lead_id)
        .bind(&attempt.number)
        .bind(whole(attempt.dialled_at))
        .bind(attempt.answered_at.map(whole))
        .bind(attempt.connected_at.map(whole))
        .bind(whole(attempt.ended_at))
        .bind(attempt.agent_id.map(|a| a.0))
        .bind(attempt.outcome.as_str())
        .bind(attempt.sip_code.map(i32::from))
        .bind(attempt.billed_seconds)
        .fetch_one(&self.pool)
        .await
        .map_err(refused_or_backend)
    }

    async fn abandon_days(
        &self,
        campaign: i64,
        since: DateTime<Utc>,
    ) -> Result<Vec<(chrono::NaiveDate, u32, u32)>, RepoError> {
        // Days since the Unix epoch, from each backend's own `epoch_of`.
        let day = format!("({} / 86400)", epoch_of("dialled_at"));
        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {day} AS dialled_day,
                CAST(SUM(CASE WHEN answered_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS answered,
                CAST(SUM(CASE WHEN outcome = 'abandoned' THEN 1 ELSE 0 END) AS BIGINT) AS abandoned
             FROM campaign_attempts WHERE campaign_id = $1 AND dialled_at >= $2
             GROUP BY dialled_day ORDER BY dialled_day"
        )))
        .bind(campaign)
        .bind(crate::crm::whole_seconds(since))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        rows.into_iter()
            .map(|(day, answered, abandoned)| {
                let date = DateTime::from_timestamp(day * 86_400, 0)
                    .ok_or_else(|| RepoError::Backend(format!("day {day} of an attempt is out of range")))?
                    .date_naive();
                Ok((date, count(answered), count(abandoned)))
            })
            .collect()
    }

    async fn campaign_lead(&self, lead: i64) -> Result<Option<CampaignLead>, RepoError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {LEAD_COLUMNS} FROM campaign_leads l LEFT JOIN clients c ON c.id = l.client_id WHERE l.id = $1"
        )))
        .bind(lead)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.as_ref().map(lead_of).transpose()
    }

    async fn campaign_stats(&self, campaign: i64, now: DateTime<Utc>) -> Result<CampaignStats, RepoError> {
        campaign_exists(&self.pool, campaign).await?;
        let mut stats = CampaignStats::default();
        let (leads, attempts): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), CAST(SUM(attempts) AS BIGINT) FROM campaign_leads WHERE campaign_id = $1",
        )
        .bind(campaign)
        .fetch_one(&self.pool)
        .await
        .map_err(backend)?;
        stats.leads = leads;
        stats.attempts = attempts.unwrap_or(0);
        let states = counts_by(&self.pool, campaign, "state").await?;
        let count = |state: &str| states.get(state).copied().unwrap_or(0);
        (stats.waiting, stats.dialling, stats.closed) = (count("waiting"), count("dialling"), count("closed"));
        stats.last_outcomes = counts_by(&self.pool, campaign, "last_outcome").await?;
        stats.results = counts_by(&self.pool, campaign, "result").await?;
        stats.closed_as = counts_by(&self.pool, campaign, "closed_as").await?;
        let today = now.date_naive().and_time(chrono::NaiveTime::MIN).and_utc();
        let (dialled, answered, connected, abandoned): (i64, Option<i64>, Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*),
                CAST(SUM(CASE WHEN answered_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN connected_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN outcome = 'abandoned' THEN 1 ELSE 0 END) AS BIGINT)
             FROM campaign_attempts WHERE campaign_id = $1 AND dialled_at >= $2 AND dialled_at < $3",
        )
        .bind(campaign)
        .bind(today)
        .bind(today + chrono::Duration::days(1))
        .fetch_one(&self.pool)
        .await
        .map_err(backend)?;
        stats.dialled_today = dialled;
        stats.answered_today = answered.unwrap_or(0);
        stats.connected_today = connected.unwrap_or(0);
        stats.abandoned_today = abandoned.unwrap_or(0);
        stats.abandon_rate_today = CampaignStats::abandon_rate(stats.answered_today, stats.abandoned_today);
        let days = self.abandon_days(campaign, now - chrono::Duration::days(30)).await?;
        let (answered, abandoned) = days
            .iter()
            .fold((0, 0), |(an, ab), &(_, answered, abandoned)| (an + i64::from(answered), ab + i64::from(abandoned)));
        stats.abandon_rate_30_days = CampaignStats::abandon_rate(answered, abandoned);
        stats.billed_seconds = self.billed_seconds(campaign).await?;
        // Hours since the Unix epoch: the same buckets on both backends.
        let hours: Vec<(i64, i64, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT CAST({epoch} / 3600 AS BIGINT) AS hour, COUNT(*),
                CAST(SUM(CASE WHEN answered_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN outcome = 'abandoned' THEN 1 ELSE 0 END) AS BIGINT)
             FROM campaign_attempts WHERE campaign_id = $1 AND dialled_at >= $2 AND dialled_at < $3
             GROUP BY 1 ORDER BY 1",
            epoch = epoch_of("dialled_at")
        )))
        .bind(campaign)
        .bind(today)
        .bind(today + chrono::Duration::days(1))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        stats.hours_today = (hours.into_iter())
            .filter_map(|(hour, dialled, answered, abandoned)| {
                Some(crate::crm::campaigns::HourCount {
                    start: DateTime::from_timestamp(hour * 3600, 0)?,
                    dialled,
                    answered,
                    abandoned,
                })
            })
            .collect();
        Ok(stats)
    }

    async fn agent_talk(
        &self,
        campaign: i64,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<std::collections::BTreeMap<UserId, crate::crm::campaigns::AgentTalk>, RepoError> {
        let rows: Vec<(i64, DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(
            "SELECT agent_id, connected_at, ended_at FROM campaign_attempts
             WHERE campaign_id = $1 AND dialled_at >= $2 AND dialled_at < $3
               AND agent_id IS NOT NULL AND connected_at IS NOT NULL",
        )
        .bind(campaign)
        .bind(since)
        .bind(until)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        let mut talk = std::collections::BTreeMap::<UserId, crate::crm::campaigns::AgentTalk>::new();
        for (agent, connected, ended) in rows {
            let one = talk.entry(UserId(agent)).or_default();
            one.calls += 1;
            one.talk_seconds += (ended - connected).num_seconds().max(0);
        }
        Ok(talk)
    }

    async fn agent_leads(&self, agent: UserId) -> Result<Vec<CampaignLead>, RepoError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {LEAD_COLUMNS} FROM campaign_leads l LEFT JOIN clients c ON c.id = l.client_id
             WHERE l.state = 'dialling' AND l.agent_id = $1 ORDER BY l.dialled_at, l.id"
        )))
        .bind(agent.0)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(lead_of).collect()
    }

    async fn client_addresses(&self, client: i64) -> Result<Vec<String>, RepoError> {
        sqlx::query_scalar("SELECT text FROM client_addresses WHERE client_id = $1 ORDER BY position")
            .bind(client)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)
    }

    async fn billed_seconds(&self, campaign: i64) -> Result<i64, RepoError> {
        let billed: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(SUM(billed_seconds) AS BIGINT) FROM campaign_attempts WHERE campaign_id = $1",
        )
        .bind(campaign)
        .fetch_one(&self.pool)
        .await
        .map_err(backend)?;
        Ok(billed.unwrap_or(0))
    }

    async fn record_survey(
        &self,
        lead: &CampaignLead,
        agent: UserId,
        answers: &[(String, String)],
        now: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        let mut tx = self.begin_write().await?;
        for (question, answer) in answers {
            sqlx::query(
                "INSERT INTO survey_answers (campaign_id, lead_id, client_id, agent_id, question, answer, answered_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(lead.campaign_id)
            .bind(lead.id)
            .bind(lead.client_id)
            .bind(agent.0)
            .bind(question)
            .bind(storable(answer))
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(refused_or_backend)?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn client_survey_answers(&self, client: i64) -> Result<Vec<SurveyAnswer>, RepoError> {
        let rows = sqlx::query(
            "SELECT a.campaign_id, c.name AS campaign, a.question, a.answer, a.answered_at
             FROM survey_answers a JOIN campaigns c ON c.id = a.campaign_id
             WHERE a.client_id = $1 ORDER BY a.answered_at DESC, a.id",
        )
        .bind(client)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|r| {
                Ok(SurveyAnswer {
                    campaign_id: r.try_get("campaign_id").map_err(backend)?,
                    campaign: r.try_get("campaign").map_err(backend)?,
                    question: r.try_get("question").map_err(backend)?,
                    answer: r.try_get("answer").map_err(backend)?,
                    answered_at: r.try_get("answered_at").map_err(backend)?,
                })
            })
            .collect()
    }

    async fn is_dnc(&self, campaign: i64, number: &str) -> Result<bool, RepoError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM dnc_numbers WHERE e164 = $1 AND (campaign_id IS NULL OR campaign_id = $2) LIMIT 1",
        )
        .bind(number)
        .bind(campaign)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        Ok(found.is_some())
    }
}
