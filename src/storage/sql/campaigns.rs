// Outbound campaigns (included by both backends).

fn campaign_of(row: &<Db as sqlx::Database>::Row) -> Result<Campaign, RepoError> {
    let settings: String = row.try_get("settings").map_err(backend)?;
    let settings = serde_json::from_str(&settings)
        .map_err(|e| RepoError::Backend(format!("unreadable settings of a campaign: {e}")))?;
    Ok(Campaign {
        id: row.try_get("id").map_err(backend)?,
        name: row.try_get("name").map_err(backend)?,
        settings,
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
        let rows = sqlx::query("SELECT id, name, settings, created_at, updated_at FROM campaigns ORDER BY name")
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter().map(campaign_of).collect()
    }

    async fn campaign(&self, id: i64) -> Result<Option<Campaign>, RepoError> {
        let row = sqlx::query("SELECT id, name, settings, created_at, updated_at FROM campaigns WHERE id = $1")
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
        let mut tx = self.pool.begin().await.map_err(backend)?;
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
        let mut tx = self.pool.begin().await.map_err(backend)?;
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
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let deleted: Option<i64> = sqlx::query_scalar("DELETE FROM campaigns WHERE id = $1 RETURNING id")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
        deleted.ok_or(RepoError::NotFound)?;
        write_audit(&mut tx, now, Some(actor), "campaign", id, "delete", &[]).await?;
        tx.commit().await.map_err(backend)
    }
}
