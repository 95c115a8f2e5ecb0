// The audit log (included by both backends).

#[async_trait]
impl AuditRepo for Store {
    async fn audit(&self, filter: &AuditFilter, page: &PageRequest) -> Result<Page<AuditEntry>, RepoError> {
        let mut qb = QueryBuilder::<Db>::new(
            "SELECT a.id, a.at, a.user_id, u.username, a.entity, a.entity_id, a.action, a.field, a.old_value, a.new_value
             FROM audit_log a LEFT JOIN users u ON u.id = a.user_id WHERE (1 = 1)",
        );
        if let Some(entity) = &filter.entity {
            qb.push(" AND a.entity = ").push_bind(entity.clone());
        }
        if let Some(entity_id) = filter.entity_id {
            qb.push(" AND a.entity_id = ").push_bind(entity_id);
        }
        if let Some(user) = filter.user {
            qb.push(" AND a.user_id = ").push_bind(user.0);
        }
        if let Some(after) = &page.after {
            qb.push(" AND a.id < ").push_bind(after.id);
        }
        qb.push(" ORDER BY a.id DESC LIMIT ").push_bind(page.fetch_limit());
        let rows = qb.build().fetch_all(&self.pool).await.map_err(backend)?;
        let items = rows
            .iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: r.try_get("id").map_err(backend)?,
                    at: r.try_get("at").map_err(backend)?,
                    user_id: r.try_get::<Option<i64>, _>("user_id").map_err(backend)?.map(UserId),
                    username: r.try_get("username").map_err(backend)?,
                    entity: r.try_get("entity").map_err(backend)?,
                    entity_id: r.try_get("entity_id").map_err(backend)?,
                    action: r.try_get("action").map_err(backend)?,
                    field: r.try_get("field").map_err(backend)?,
                    old_value: r.try_get("old_value").map_err(backend)?,
                    new_value: r.try_get("new_value").map_err(backend)?,
                })
            })
            .collect::<Result<Vec<_>, RepoError>>()?;
        Ok(Page::from_rows(items, page, |e| Cursor { key: None, id: e.id }))
    }

    async fn record(&self, at: DateTime<Utc>, user: Option<UserId>, entity: &str, entity_id: i64, action: &str) -> Result<(), RepoError> {
        let mut tx = self.begin_write().await?;
        write_audit(&mut tx, at, user, entity, entity_id, action, &[]).await?;
        tx.commit().await.map_err(backend)
    }
}
