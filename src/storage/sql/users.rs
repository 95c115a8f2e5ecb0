// Users, teams, role rights and login sessions (included by both backends).

fn user_from_row(row: &<Db as sqlx::Database>::Row) -> Result<User, RepoError> {
    let role: String = row.try_get("role").map_err(backend)?;
    Ok(User {
        id: UserId(row.try_get("id").map_err(backend)?),
        username: row.try_get("username").map_err(backend)?,
        display_name: row.try_get("display_name").map_err(backend)?,
        role: parse_stored("role", &role)?,
        team_id: row.try_get::<Option<i64>, _>("team_id").map_err(backend)?.map(TeamId),
        active: row.try_get("active").map_err(backend)?,
        created_at: row.try_get("created_at").map_err(backend)?,
    })
}

const USER_COLUMNS: &str = "id, username, display_name, role, team_id, active, created_at";

#[async_trait]
impl UserRepo for Store {
    async fn create_user(&self, user: NewUser, now: DateTime<Utc>) -> Result<UserId, RepoError> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, display_name, password_hash, role, team_id, active, created_at)
             VALUES ($1, $2, $3, $4, $5, TRUE, $6) RETURNING id",
        )
        .bind(user.username.as_str())
        .bind(&user.display_name)
        .bind(&user.password_hash)
        .bind(user.role.as_str())
        .bind(user.team_id.map(|t| t.0))
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(conflict_on("username"))?;
        write_audit(&mut tx, now, None, "user", id, "create", &[]).await?;
        tx.commit().await.map_err(backend)?;
        Ok(UserId(id))
    }

    async fn list_users(&self) -> Result<Vec<User>, RepoError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users ORDER BY username")))
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter().map(user_from_row).collect()
    }

    async fn user(&self, id: UserId) -> Result<User, RepoError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1")))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?
            .ok_or(RepoError::NotFound)?;
        user_from_row(&row)
    }

    async fn credentials(&self, username: &Username) -> Result<Option<Credentials>, RepoError> {
        let row = sqlx::query("SELECT id, password_hash, active FROM users WHERE username = $1")
            .bind(username.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.map(|row| {
            Ok(Credentials {
                user_id: UserId(row.try_get("id").map_err(backend)?),
                password_hash: row.try_get("password_hash").map_err(backend)?,
                active: row.try_get("active").map_err(backend)?,
            })
        })
        .transpose()
    }

    async fn ensure_team(&self, name: &str) -> Result<TeamId, RepoError> {
        sqlx::query("INSERT INTO teams (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        let id: i64 = sqlx::query_scalar("SELECT id FROM teams WHERE name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await
            .map_err(backend)?;
        Ok(TeamId(id))
    }

    async fn set_user_team(&self, user: UserId, team: Option<TeamId>) -> Result<(), RepoError> {
        let done = sqlx::query("UPDATE users SET team_id = $1 WHERE id = $2")
            .bind(team.map(|t| t.0))
            .bind(user.0)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(RepoError::NotFound);
        }
        Ok(())
    }

    async fn set_right(&self, role: Role, section: Section, right: Right) -> Result<(), RepoError> {
        sqlx::query(
            "INSERT INTO role_rights (role, section, can_read, can_write, reach) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (role, section) DO UPDATE
             SET can_read = excluded.can_read, can_write = excluded.can_write, reach = excluded.reach",
        )
        .bind(role.as_str())
        .bind(section.as_str())
        .bind(right.read)
        .bind(right.write)
        .bind(right.reach.as_str())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        let mut tx = self.begin_write().await?;
        // Expired sessions are swept on login rather than by a background job.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(user.0)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    async fn session_actor(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Actor>, RepoError> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.display_name, u.role, u.team_id
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = TRUE",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let role: String = row.try_get("role").map_err(backend)?;
        let rights = sqlx::query("SELECT section, can_read, can_write, reach FROM role_rights WHERE role = $1")
            .bind(&role)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get("section").map_err(backend)?,
                    r.try_get("can_read").map_err(backend)?,
                    r.try_get("can_write").map_err(backend)?,
                    r.try_get("reach").map_err(backend)?,
                ))
            })
            .collect::<Result<Vec<_>, RepoError>>()?;
        Ok(Some(Actor {
            user_id: UserId(row.try_get("id").map_err(backend)?),
            username: row.try_get("username").map_err(backend)?,
            display_name: row.try_get("display_name").map_err(backend)?,
            role: parse_stored("role", &role)?,
            team_id: row.try_get::<Option<i64>, _>("team_id").map_err(backend)?.map(TeamId),
            rights: rights_from_rows(rights),
        }))
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), RepoError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
