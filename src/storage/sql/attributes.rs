// User-defined attribute definitions (included by both backends).

fn attribute_def_from_row(r: &<Db as sqlx::Database>::Row) -> Result<AttributeDef, RepoError> {
    let kind: String = r.try_get("kind").map_err(backend)?;
    let choices: String = r.try_get("choices").map_err(backend)?;
    Ok(AttributeDef {
        id: AttributeId(r.try_get("id").map_err(backend)?),
        key: r.try_get("key").map_err(backend)?,
        label: r.try_get("label").map_err(backend)?,
        kind: parse_stored::<AttributeKind>("attribute kind", &kind)?,
        choices: serde_json::from_str(&choices).map_err(|e| RepoError::Backend(format!("attribute choices: {e}")))?,
    })
}

#[async_trait]
impl AttributeRepo for Store {
    async fn attribute_defs(&self) -> Result<Vec<AttributeDef>, RepoError> {
        sqlx::query("SELECT id, key, label, kind, choices FROM attribute_defs ORDER BY label, id")
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?
            .iter()
            .map(attribute_def_from_row)
            .collect()
    }

    async fn create_attribute_def(&self, def: NewAttributeDef, now: DateTime<Utc>) -> Result<AttributeId, RepoError> {
        let choices = serde_json::to_string(&def.choices).map_err(|e| RepoError::Backend(e.to_string()))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO attribute_defs (key, label, kind, choices, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&def.key)
        .bind(&def.label)
        .bind(def.kind.as_str())
        .bind(choices)
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(conflict_on("key"))?;
        Ok(AttributeId(id))
    }
}
