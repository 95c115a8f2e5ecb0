// SIP accounts and the HA1 credentials the SIP engine loads (included by both backends).

const SIP_ACCOUNT_COLUMNS: &str = "id, extension, display_name, user_id, enabled, record, created_at, updated_at";
/// Dialling order: shorter extensions first, then by digits (so 99 before 1001).
const SIP_ACCOUNT_ORDER: &str = "ORDER BY LENGTH(extension), extension";

fn sip_account_from_row(row: &<Db as sqlx::Database>::Row) -> Result<SipAccount, RepoError> {
    let extension: String = row.try_get("extension").map_err(backend)?;
    Ok(SipAccount {
        id: SipAccountId(row.try_get("id").map_err(backend)?),
        extension: parse_stored("extension", &extension)?,
        display_name: row.try_get("display_name").map_err(backend)?,
        user_id: row.try_get::<Option<i64>, _>("user_id").map_err(backend)?.map(UserId),
        enabled: row.try_get("enabled").map_err(backend)?,
        record: row.try_get("record").map_err(backend)?,
        created_at: row.try_get("created_at").map_err(backend)?,
        updated_at: row.try_get("updated_at").map_err(backend)?,
    })
}

async fn load_sip_account(conn: &mut Conn, id: SipAccountId) -> Result<SipAccount, RepoError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {SIP_ACCOUNT_COLUMNS} FROM sip_accounts WHERE id = $1")))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(backend)?
        .ok_or(RepoError::NotFound)?;
    sip_account_from_row(&row)
}

#[async_trait]
impl SipAccountRepo for Store {
    async fn create_sip_account(&self, actor: UserId, account: NewSipAccount, now: DateTime<Utc>) -> Result<SipAccountId, RepoError> {
        let mut tx = self.begin_write().await?;
        if let Some(user) = account.user_id {
            require_user(&mut tx, user, "user_id").await?;
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sip_accounts (extension, display_name, user_id, ha1_md5, ha1_sha256, enabled, record, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
        )
        .bind(account.extension.as_str())
        .bind(account.display_name.as_deref())
        .bind(account.user_id.map(|u| u.0))
        .bind(&account.ha1.md5)
        .bind(&account.ha1.sha256)
        .bind(account.enabled)
        .bind(account.record)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(conflict_on("extension"))?;
        write_audit(&mut tx, now, Some(actor), "sip_account", id, "create", &[]).await?;
        tx.commit().await.map_err(backend)?;
        Ok(SipAccountId(id))
    }

    async fn sip_account(&self, id: SipAccountId) -> Result<SipAccount, RepoError> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        load_sip_account(&mut conn, id).await
    }

    async fn sip_accounts(&self) -> Result<Vec<SipAccount>, RepoError> {
        sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {SIP_ACCOUNT_COLUMNS} FROM sip_accounts {SIP_ACCOUNT_ORDER}")))
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?
            .iter()
            .map(sip_account_from_row)
            .collect()
    }

    async fn update_sip_account(&self, actor: UserId, id: SipAccountId, patch: SipAccountPatch, now: DateTime<Utc>) -> Result<SipAccount, RepoError> {
        let mut tx = self.begin_write().await?;
        let before = load_sip_account(&mut tx, id).await?;
        if let Some(Some(user)) = patch.user_id {
            require_user(&mut tx, user, "user_id").await?;
        }
        let display_name = patch.display_name.unwrap_or(before.display_name.clone());
        let user_id = patch.user_id.unwrap_or(before.user_id);
        let enabled = patch.enabled.unwrap_or(before.enabled);
        let record = patch.record.unwrap_or(before.record);
        let mut diff = crate::crm::audit::Diff::default();
        diff.field("display_name", before.display_name.as_deref(), display_name.as_deref());
        diff.field(
            "user_id",
            before.user_id.map(|u| u.to_string()).as_deref(),
            user_id.map(|u| u.to_string()).as_deref(),
        );
        diff.field("enabled", Some(&before.enabled.to_string()), Some(&enabled.to_string()));
        diff.field("record", Some(&before.record.to_string()), Some(&record.to_string()));
        let changes = diff.into_changes();
        // Nothing changed: no write, no audit row, no new updated_at.
        if changes.is_empty() {
            return Ok(before);
        }
        sqlx::query("UPDATE sip_accounts SET display_name = $1, user_id = $2, enabled = $3, record = $4, updated_at = $5 WHERE id = $6")
            .bind(display_name.as_deref())
            .bind(user_id.map(|u| u.0))
            .bind(enabled)
            .bind(record)
            .bind(now)
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        write_audit(&mut tx, now, Some(actor), "sip_account", id.0, "update", &changes).await?;
        let after = load_sip_account(&mut tx, id).await?;
        tx.commit().await.map_err(backend)?;
        Ok(after)
    }

    async fn set_sip_password(&self, actor: UserId, id: SipAccountId, ha1: Ha1Set, now: DateTime<Utc>) -> Result<(), RepoError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE sip_accounts SET ha1_md5 = $1, ha1_sha256 = $2, updated_at = $3 WHERE id = $4")
            .bind(&ha1.md5)
            .bind(&ha1.sha256)
            .bind(now)
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(RepoError::NotFound);
        }
        // That the password changed is worth knowing; the HA1 values are secrets.
        let change = Change { field: "password".into(), old: None, new: None };
        write_audit(&mut tx, now, Some(actor), "sip_account", id.0, "update", &[change]).await?;
        tx.commit().await.map_err(backend)
    }

    async fn delete_sip_account(&self, actor: UserId, id: SipAccountId, now: DateTime<Utc>) -> Result<(), RepoError> {
        let mut tx = self.begin_write().await?;
        let extension: String = sqlx::query_scalar("DELETE FROM sip_accounts WHERE id = $1 RETURNING extension")
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?
            .ok_or(RepoError::NotFound)?;
        // The extension is kept in the log: after the delete, the id alone says nothing.
        let change = Change { field: "extension".into(), old: Some(extension), new: None };
        write_audit(&mut tx, now, Some(actor), "sip_account", id.0, "delete", &[change]).await?;
        tx.commit().await.map_err(backend)
    }

    async fn sip_credentials(&self) -> Result<Vec<SipCredential>, RepoError> {
        sqlx::query(
            "SELECT s.extension, s.ha1_md5, s.ha1_sha256, s.enabled, s.record,
                    COALESCE(u.active AND u.role IN ('admin', 'supervisor'), FALSE) AS may_monitor
             FROM sip_accounts s LEFT JOIN users u ON u.id = s.user_id
             ORDER BY LENGTH(s.extension), s.extension",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?
        .iter()
        .map(|row| {
            Ok(SipCredential {
                extension: row.try_get("extension").map_err(backend)?,
                ha1: Ha1Set {
                    md5: row.try_get("ha1_md5").map_err(backend)?,
                    sha256: row.try_get("ha1_sha256").map_err(backend)?,
                },
                enabled: row.try_get("enabled").map_err(backend)?,
                record: row.try_get("record").map_err(backend)?,
                may_monitor: row.try_get("may_monitor").map_err(backend)?,
            })
        })
        .collect()
    }
}
