// Contact-centre reports: sums per interval from the call records (included
// by both backends; `epoch_of` is each backend's own).

#[async_trait]
impl ReportRepo for Store {
    async fn queue_sums(&self, query: &ReportQuery) -> Result<Vec<QueueSums>, RepoError> {
        let arrived = epoch_of("r.arrived_at");
        // Waits and talk from the times as stored, fractions included, so
        // that "answered within N s" counts as the live view does (a 2.6 s
        // wait is not within 2 s); sums are rounded to whole seconds.
        let queued = "COALESCE(r.queued_at, r.arrived_at)";
        let waited = seconds_between(queued, "r.answered_at");
        let waited_or_gone = seconds_between(queued, "COALESCE(r.answered_at, r.ended_at)");
        let talked = seconds_between("r.answered_at", "r.ended_at");
        let sql = format!(
            "SELECT r.queue, ({arrived} / $1) * $1 AS start, COUNT(*) AS calls,
                CAST(SUM(CASE WHEN r.answered_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS answered,
                CAST(SUM(CASE WHEN r.answered_at IS NOT NULL AND {waited} <= $2 THEN 1 ELSE 0 END) AS BIGINT)
                    AS answered_in_time,
                CAST(ROUND(SUM(CASE WHEN r.answered_at IS NOT NULL THEN {waited} ELSE 0 END)) AS BIGINT) AS answer_wait,
                CAST(ROUND(MAX({waited_or_gone})) AS BIGINT) AS max_wait,
                CAST(ROUND(SUM(CASE WHEN r.answered_at IS NOT NULL THEN {talked} ELSE 0 END)) AS BIGINT) AS talk
             FROM call_records r
             WHERE r.queue IS NOT NULL AND r.arrived_at >= $3 AND r.arrived_at < $4
             GROUP BY r.queue, start ORDER BY start, r.queue"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(query.interval.seconds())
            .bind(query.service_level_s)
            .bind(query.from)
            .bind(query.to)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter()
            .map(|r| {
                Ok(QueueSums {
                    queue: r.try_get("queue").map_err(backend)?,
                    start: r.try_get("start").map_err(backend)?,
                    calls: r.try_get("calls").map_err(backend)?,
                    answered: r.try_get("answered").map_err(backend)?,
                    answered_in_time: r.try_get("answered_in_time").map_err(backend)?,
                    answer_wait_s: r.try_get("answer_wait").map_err(backend)?,
                    max_wait_s: r.try_get::<Option<i64>, _>("max_wait").map_err(backend)?.unwrap_or(0),
                    talk_s: r.try_get("talk").map_err(backend)?,
                })
            })
            .collect()
    }

    async fn agent_sums(&self, query: &ReportQuery) -> Result<Vec<AgentSums>, RepoError> {
        let arrived = epoch_of("r.arrived_at");
        let talked = seconds_between("r.answered_at", "r.ended_at");
        let sql = format!(
            "SELECT r.agent_id, u.display_name AS agent_name, ({arrived} / $1) * $1 AS start, COUNT(*) AS answered,
                CAST(ROUND(SUM({talked})) AS BIGINT) AS talk,
                CAST(SUM(CASE WHEN r.wrapped_up_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS wrapped_up
             FROM call_records r JOIN users u ON u.id = r.agent_id
             WHERE r.answered_at IS NOT NULL AND r.arrived_at >= $2 AND r.arrived_at < $3
             GROUP BY r.agent_id, u.display_name, start ORDER BY start, u.display_name, r.agent_id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(query.interval.seconds())
            .bind(query.from)
            .bind(query.to)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter()
            .map(|r| {
                Ok(AgentSums {
                    agent_id: r.try_get("agent_id").map_err(backend)?,
                    agent_name: r.try_get("agent_name").map_err(backend)?,
                    start: r.try_get("start").map_err(backend)?,
                    answered: r.try_get("answered").map_err(backend)?,
                    talk_s: r.try_get("talk").map_err(backend)?,
                    wrapped_up: r.try_get("wrapped_up").map_err(backend)?,
                })
            })
            .collect()
    }
}
