// Queues kept in the database and agents' skills (included by both backends).

#[async_trait]
impl QueueRepo for Store {
    async fn queues(&self) -> Result<Vec<StoredQueue>, RepoError> {
        let rows = sqlx::query("SELECT name, settings, updated_at FROM queues ORDER BY name")
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter()
            .map(|r| {
                let settings: String = r.try_get("settings").map_err(backend)?;
                let settings = serde_json::from_str(&settings)
                    .map_err(|e| RepoError::Backend(format!("unreadable settings of a queue: {e}")))?;
                Ok(StoredQueue {
                    name: r.try_get("name").map_err(backend)?,
                    settings,
                    updated_at: r.try_get("updated_at").map_err(backend)?,
                })
            })
            .collect()
    }

    async fn put_queue(
        &self,
        actor: UserId,
        name: &str,
        settings: &serde_json::Map<String, serde_json::Value>,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        let text = serde_json::Value::Object(settings.clone()).to_string();
        let mut tx = self.begin_write().await?;
        let before: Option<(i64, String)> = sqlx::query_as("SELECT id, settings FROM queues WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
        let (id, action, old) = match before {
            Some((id, old)) => {
                sqlx::query("UPDATE queues SET settings = $1, updated_at = $2 WHERE id = $3")
                    .bind(&text)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                (id, "update", Some(old))
            }
            None => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO queues (name, settings, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id",
                )
                .bind(name)
                .bind(&text)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(backend)?;
                (id, "create", None)
            }
        };
        let mut diff = crate::crm::audit::Diff::default();
        diff.field("settings", old.as_deref(), Some(&text));
        write_audit(&mut tx, now, Some(actor), "queue", id, action, &diff.into_changes()).await?;
        tx.commit().await.map_err(backend)
    }

    async fn delete_queue(&self, actor: UserId, name: &str, now: DateTime<Utc>) -> Result<(), RepoError> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar("DELETE FROM queues WHERE name = $1 RETURNING id")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?
            .ok_or(RepoError::NotFound)?;
        write_audit(&mut tx, now, Some(actor), "queue", id, "delete", &[]).await?;
        tx.commit().await.map_err(backend)
    }

    async fn agent_skills(&self, user: UserId) -> Result<Skills, RepoError> {
        let rows: Vec<(String, i32)> = sqlx::query_as("SELECT skill, level FROM agent_skills WHERE user_id = $1")
            .bind(user.0)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        Ok(rows
            .into_iter()
            .map(|(skill, level)| (skill, u8::try_from(level.clamp(0, 100)).unwrap_or(0)))
            .collect())
    }

    async fn set_agent_skills(&self, actor: UserId, user: UserId, skills: &Skills, now: DateTime<Utc>) -> Result<(), RepoError> {
        let mut tx = self.begin_write().await?;
        require_user(&mut tx, user, "user_id").await?;
        sqlx::query("DELETE FROM agent_skills WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        for (skill, level) in skills {
            sqlx::query("INSERT INTO agent_skills (user_id, skill, level) VALUES ($1, $2, $3)")
                .bind(user.0)
                .bind(skill)
                .bind(i32::from(*level))
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        let text = serde_json::to_string(skills).unwrap_or_default();
        let mut diff = crate::crm::audit::Diff::default();
        diff.field("skills", None, Some(&text));
        write_audit(&mut tx, now, Some(actor), "user", user.0, "skills", &diff.into_changes()).await?;
        tx.commit().await.map_err(backend)
    }
}
