// The classifier tree (included by both backends).

#[async_trait]
impl ClassifierRepo for Store {
    async fn classifier_nodes(&self) -> Result<Vec<ClassifierNode>, RepoError> {
        sqlx::query("SELECT id, parent_id, name FROM classifier_nodes ORDER BY path")
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?
            .iter()
            .map(|r| {
                Ok(ClassifierNode {
                    id: NodeId(r.try_get("id").map_err(backend)?),
                    parent_id: r.try_get::<Option<i64>, _>("parent_id").map_err(backend)?.map(NodeId),
                    name: r.try_get("name").map_err(backend)?,
                })
            })
            .collect()
    }

    async fn create_node(&self, parent: Option<NodeId>, name: &str) -> Result<NodeId, RepoError> {
        let mut tx = self.begin_write().await?;
        let parent_path: Option<String> = match parent {
            None => None,
            Some(p) => Some(
                sqlx::query_scalar("SELECT path FROM classifier_nodes WHERE id = $1")
                    .bind(p.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(backend)?
                    .ok_or_else(|| invalid("parent_id", "no such classifier node"))?,
            ),
        };
        // The path holds the node's own id, known only after the insert.
        let id: i64 = sqlx::query_scalar("INSERT INTO classifier_nodes (parent_id, name, path) VALUES ($1, $2, '') RETURNING id")
            .bind(parent.map(|p| p.0))
            .bind(name)
            .fetch_one(&mut *tx)
            .await
            .map_err(conflict_on("name"))?;
        let path = classifier::child_path(parent_path.as_deref(), NodeId(id));
        sqlx::query("UPDATE classifier_nodes SET path = $1 WHERE id = $2")
            .bind(path)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(NodeId(id))
    }

    async fn rename_node(&self, id: NodeId, name: &str) -> Result<(), RepoError> {
        let done = sqlx::query("UPDATE classifier_nodes SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(id.0)
            .execute(&self.pool)
            .await
            .map_err(conflict_on("name"))?;
        if done.rows_affected() == 0 {
            return Err(RepoError::NotFound);
        }
        Ok(())
    }

    async fn delete_node(&self, id: NodeId) -> Result<(), RepoError> {
        let mut tx = self.begin_write().await?;
        let children: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM classifier_nodes WHERE parent_id = $1")
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
        if children > 0 {
            return Err(RepoError::Conflict("children".into()));
        }
        sqlx::query("DELETE FROM client_classifier WHERE node_id = $1").bind(id.0).execute(&mut *tx).await.map_err(backend)?;
        let done = sqlx::query("DELETE FROM classifier_nodes WHERE id = $1").bind(id.0).execute(&mut *tx).await.map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(RepoError::NotFound);
        }
        tx.commit().await.map_err(backend)
    }
}
