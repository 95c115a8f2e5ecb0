// Saved segments (included by both backends).

const SEGMENT_COLUMNS: &str = "id, name, filter, created_by, created_at, updated_at";

fn segment_of(row: &<Db as sqlx::Database>::Row) -> Result<Segment, RepoError> {
    let filter: String = row.try_get("filter").map_err(backend)?;
    let filter = serde_json::from_str(&filter)
        .map_err(|e| RepoError::Backend(format!("unreadable filter of a segment: {e}")))?;
    Ok(Segment {
        id: row.try_get("id").map_err(backend)?,
        name: row.try_get("name").map_err(backend)?,
        filter,
        created_by: row.try_get::<Option<i64>, _>("created_by").map_err(backend)?.map(UserId),
        created_at: row.try_get("created_at").map_err(backend)?,
        updated_at: row.try_get("updated_at").map_err(backend)?,
    })
}

fn filter_text(filter: &std::collections::BTreeMap<String, String>) -> Result<String, RepoError> {
    serde_json::to_string(filter).map_err(|e| RepoError::Backend(e.to_string()))
}

#[async_trait]
impl SegmentRepo for Store {
    async fn segments(&self) -> Result<Vec<Segment>, RepoError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {SEGMENT_COLUMNS} FROM segments ORDER BY name")))
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter().map(segment_of).collect()
    }

    async fn segment(&self, id: i64) -> Result<Option<Segment>, RepoError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {SEGMENT_COLUMNS} FROM segments WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.as_ref().map(segment_of).transpose()
    }

    async fn create_segment(
        &self,
        actor: UserId,
        name: &str,
        filter: &std::collections::BTreeMap<String, String>,
        now: DateTime<Utc>,
    ) -> Result<i64, RepoError> {
        let text = filter_text(filter)?;
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO segments (name, filter, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
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
        diff.field("filter", None, Some(&text));
        write_audit(&mut tx, now, Some(actor), "segment", id, "create", &diff.into_changes()).await?;
        tx.commit().await.map_err(backend)?;
        Ok(id)
    }

    async fn update_segment(
        &self,
        actor: UserId,
        id: i64,
        name: &str,
        filter: &std::collections::BTreeMap<String, String>,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        let text = filter_text(filter)?;
        let mut tx = self.begin_write().await?;
        let before: Option<(String, String)> = sqlx::query_as("SELECT name, filter FROM segments WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
        let (old_name, old_filter) = before.ok_or(RepoError::NotFound)?;
        sqlx::query("UPDATE segments SET name = $1, filter = $2, updated_at = $3 WHERE id = $4")
            .bind(name)
            .bind(&text)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(conflict_on("name"))?;
        let mut diff = crate::crm::audit::Diff::default();
        diff.field("name", Some(&old_name), Some(name));
        diff.field("filter", Some(&old_filter), Some(&text));
        write_audit(&mut tx, now, Some(actor), "segment", id, "update", &diff.into_changes()).await?;
        tx.commit().await.map_err(backend)
    }

    async fn delete_segment(&self, actor: UserId, id: i64, now: DateTime<Utc>) -> Result<(), RepoError> {
        let mut tx = self.begin_write().await?;
        let deleted: Option<i64> = sqlx::query_scalar("DELETE FROM segments WHERE id = $1 RETURNING id")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
        deleted.ok_or(RepoError::NotFound)?;
        write_audit(&mut tx, now, Some(actor), "segment", id, "delete", &[]).await?;
        tx.commit().await.map_err(backend)
    }

    async fn segment_size(&self, scope: ClientScope, filter: &ClientFilter) -> Result<SegmentSize, RepoError> {
        // The same phone the leads would take: the client's own first one.
        let mut qb = QueryBuilder::<Db>::new(
            "SELECT COUNT(*) AS clients, COUNT(p.id) AS callable FROM clients c LEFT JOIN phones p ON p.id = (
                 SELECT p1.id FROM phones p1 WHERE p1.client_id = c.id AND p1.contact_person_id IS NULL
                 ORDER BY p1.position LIMIT 1)
             WHERE",
        );
        push_client_scope(&mut qb, scope);
        push_client_filter(&mut qb, filter);
        let row = qb.build().fetch_one(&self.pool).await.map_err(backend)?;
        Ok(SegmentSize {
            clients: row.try_get("clients").map_err(backend)?,
            callable: row.try_get("callable").map_err(backend)?,
        })
    }
}
