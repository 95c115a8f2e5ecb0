// Clients: create, change, list (included by both backends).

/// Writes a client's phones, e-mails, addresses, attributes and classifier
/// branches; `person` ties phones and e-mails to a contact person. Calls
/// from or to a new number, stored while it was unknown, become the
/// client's.
async fn insert_phones(
    tx: &mut Tx<'_>,
    client: ClientId,
    person: Option<ContactPersonId>,
    phones: &[PhoneEntry],
) -> Result<(), RepoError> {
    for (position, entry) in phones.iter().enumerate() {
        sqlx::query(
            "INSERT INTO phones (client_id, contact_person_id, number, e164, kind, position) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(client.0)
        .bind(person.map(|p| p.0))
        .bind(entry.phone.entered())
        .bind(entry.phone.e164())
        .bind(entry.kind.as_deref())
        .bind(position as i64)
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    }
    if !phones.is_empty() {
        link_unknown_calls(tx, client).await?;
    }
    Ok(())
}

async fn insert_emails(
    tx: &mut Tx<'_>,
    client: ClientId,
    person: Option<ContactPersonId>,
    emails: &[Email],
) -> Result<(), RepoError> {
    for (position, email) in emails.iter().enumerate() {
        sqlx::query("INSERT INTO emails (client_id, contact_person_id, address, position) VALUES ($1, $2, $3, $4)")
            .bind(client.0)
            .bind(person.map(|p| p.0))
            .bind(email.as_str())
            .bind(position as i64)
            .execute(&mut **tx)
            .await
            .map_err(backend)?;
    }
    Ok(())
}

async fn insert_addresses(tx: &mut Tx<'_>, client: ClientId, addresses: &[Address]) -> Result<(), RepoError> {
    for (position, address) in addresses.iter().enumerate() {
        sqlx::query("INSERT INTO client_addresses (client_id, kind, text, position) VALUES ($1, $2, $3, $4)")
            .bind(client.0)
            .bind(address.kind.as_str())
            .bind(&address.text)
            .bind(position as i64)
            .execute(&mut **tx)
            .await
            .map_err(backend)?;
    }
    Ok(())
}

async fn set_attribute(tx: &mut Tx<'_>, client: ClientId, attribute: AttributeId, value: Option<&str>) -> Result<(), RepoError> {
    match value {
        Some(value) => sqlx::query(
            "INSERT INTO client_attributes (client_id, attribute_id, value) VALUES ($1, $2, $3)
             ON CONFLICT (client_id, attribute_id) DO UPDATE SET value = excluded.value",
        )
        .bind(client.0)
        .bind(attribute.0)
        .bind(value),
        None => sqlx::query("DELETE FROM client_attributes WHERE client_id = $1 AND attribute_id = $2")
            .bind(client.0)
            .bind(attribute.0),
    }
    .execute(&mut **tx)
    .await
    .map_err(backend)?;
    Ok(())
}

async fn insert_classifier(tx: &mut Tx<'_>, client: ClientId, nodes: &[NodeId]) -> Result<(), RepoError> {
    for (i, node) in nodes.iter().enumerate() {
        let exists = sqlx::query("SELECT id FROM classifier_nodes WHERE id = $1")
            .bind(node.0)
            .fetch_optional(&mut **tx)
            .await
            .map_err(backend)?;
        if exists.is_none() {
            return Err(invalid(&format!("classifier[{i}]"), "no such classifier node"));
        }
        sqlx::query("INSERT INTO client_classifier (client_id, node_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(client.0)
            .bind(node.0)
            .execute(&mut **tx)
            .await
            .map_err(backend)?;
    }
    Ok(())
}

/// The client's own phones (not its contact persons'), for audit text.
fn phones_text(phones: &[PhoneEntry]) -> String {
    phones.iter().map(|p| p.phone.e164()).collect::<Vec<_>>().join(", ")
}

fn emails_text(emails: &[Email]) -> String {
    emails.iter().map(Email::as_str).collect::<Vec<_>>().join(", ")
}

fn summary_from_row(row: &<Db as sqlx::Database>::Row) -> Result<ClientSummary, RepoError> {
    let kind: String = row.try_get("kind").map_err(backend)?;
    Ok(ClientSummary {
        id: ClientId(row.try_get("id").map_err(backend)?),
        kind: parse_stored("kind", &kind)?,
        name: row.try_get("name").map_err(backend)?,
        status: row.try_get("status").map_err(backend)?,
        primary_phone: row.try_get("primary_phone").map_err(backend)?,
        primary_email: row.try_get("primary_email").map_err(backend)?,
        responsible_id: row.try_get::<Option<i64>, _>("responsible_id").map_err(backend)?.map(UserId),
        responsible_name: row.try_get("responsible_name").map_err(backend)?,
        created_at: row.try_get("created_at").map_err(backend)?,
    })
}

#[async_trait]
impl ClientRepo for Store {
    async fn status_of_number(&self, e164: &str) -> Result<Option<String>, RepoError> {
        let status: Option<Option<String>> = sqlx::query_scalar(
            "SELECT c.status FROM phones p JOIN clients c ON c.id = p.client_id
             WHERE p.e164 = $1 ORDER BY p.client_id, p.position LIMIT 1",
        )
        .bind(e164)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        Ok(status.flatten())
    }

    async fn create_client(&self, actor: UserId, client: NewClient, now: DateTime<Utc>) -> Result<ClientId, RepoError> {
        let mut tx = self.begin_write().await?;
        let responsible = client.responsible_id.unwrap_or(actor);
        require_user(&mut tx, responsible, "responsible_id").await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO clients (kind, name, name_folded, legal_name, tax_id, registration_number, bank_details,
                                  status, advertising_source, responsible_id, notes, external_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
        )
        .bind(client.kind.as_str())
        .bind(client.name.as_str())
        .bind(fold(client.name.as_str()))
        .bind(client.legal_name.as_deref())
        .bind(client.tax_id.as_deref())
        .bind(client.registration_number.as_deref())
        .bind(client.bank_details.as_deref())
        .bind(client.status.as_deref())
        .bind(client.advertising_source.as_deref())
        .bind(responsible.0)
        .bind(client.notes.as_deref())
        .bind(client.external_id.as_deref())
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(conflict_on("external_id"))?;
        let id = ClientId(id);
        insert_addresses(&mut tx, id, &client.addresses).await?;
        insert_phones(&mut tx, id, None, &client.phones).await?;
        insert_emails(&mut tx, id, None, &client.emails).await?;
        for (attribute, value) in &client.attributes {
            set_attribute(&mut tx, id, *attribute, Some(value)).await?;
        }
        insert_classifier(&mut tx, id, &client.classifier).await?;
        write_audit(&mut tx, now, Some(actor), "client", id.0, "create", &[]).await?;
        tx.commit().await.map_err(backend)?;
        Ok(id)
    }

    async fn client(&self, scope: ClientScope, id: ClientId) -> Result<Client, RepoError> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        load_client(&mut conn, scope, id).await
    }

    async fn update_client(
        &self,
        scope: ClientScope,
        actor: UserId,
        id: ClientId,
        patch: ClientPatch,
        now: DateTime<Utc>,
    ) -> Result<Client, RepoError> {
        let mut tx = self.begin_write().await?;
        let before = load_client(&mut tx, scope, id).await?;
        if let Some(responsible) = patch.responsible_id {
            require_user(&mut tx, responsible, "responsible_id").await?;
        }
        let mut diff = crate::crm::audit::Diff::default();
        let pick = |new: &Option<Option<String>>, old: &Option<String>| new.clone().unwrap_or_else(|| old.clone());
        let kind = patch.kind.unwrap_or(before.kind);
        let name = patch.name.as_ref().map_or(before.name.clone(), |n| n.as_str().to_string());
        let legal_name = pick(&patch.legal_name, &before.legal_name);
        let tax_id = pick(&patch.tax_id, &before.tax_id);
        let registration_number = pick(&patch.registration_number, &before.registration_number);
        let bank_details = pick(&patch.bank_details, &before.bank_details);
        let status = pick(&patch.status, &before.status);
        let advertising_source = pick(&patch.advertising_source, &before.advertising_source);
        let notes = pick(&patch.notes, &before.notes);
        let external_id = pick(&patch.external_id, &before.external_id);
        let responsible = patch.responsible_id.or(before.responsible_id);
        diff.field("kind", Some(before.kind.as_str()), Some(kind.as_str()));
        diff.field("name", Some(&before.name), Some(&name));
        diff.field("legal_name", before.legal_name.as_deref(), legal_name.as_deref());
        diff.field("tax_id", before.tax_id.as_deref(), tax_id.as_deref());
        diff.field("registration_number", before.registration_number.as_deref(), registration_number.as_deref());
        diff.field("bank_details", before.bank_details.as_deref(), bank_details.as_deref());
        diff.field("status", before.status.as_deref(), status.as_deref());
        diff.field("advertising_source", before.advertising_source.as_deref(), advertising_source.as_deref());
        diff.field("notes", before.notes.as_deref(), notes.as_deref());
        diff.field("external_id", before.external_id.as_deref(), external_id.as_deref());
        let old_responsible = before.responsible_id.map(|u| u.to_string());
        let new_responsible = responsible.map(|u| u.to_string());
        diff.field("responsible_id", old_responsible.as_deref(), new_responsible.as_deref());
        sqlx::query(
            "UPDATE clients SET kind = $1, name = $2, name_folded = $3, legal_name = $4, tax_id = $5,
                    registration_number = $6, bank_details = $7, status = $8, advertising_source = $9,
                    responsible_id = $10, notes = $11, external_id = $12, updated_at = $13
             WHERE id = $14",
        )
        .bind(kind.as_str())
        .bind(&name)
        .bind(fold(&name))
        .bind(legal_name.as_deref())
        .bind(tax_id.as_deref())
        .bind(registration_number.as_deref())
        .bind(bank_details.as_deref())
        .bind(status.as_deref())
        .bind(advertising_source.as_deref())
        .bind(responsible.map(|u| u.0))
        .bind(notes.as_deref())
        .bind(external_id.as_deref())
        .bind(now)
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(conflict_on("external_id"))?;
        if let Some(addresses) = &patch.addresses {
            sqlx::query("DELETE FROM client_addresses WHERE client_id = $1").bind(id.0).execute(&mut *tx).await.map_err(backend)?;
            insert_addresses(&mut tx, id, addresses).await?;
            let old = before.addresses.iter().map(|a| a.text.as_str()).collect::<Vec<_>>().join("; ");
            let new = addresses.iter().map(|a| a.text.as_str()).collect::<Vec<_>>().join("; ");
            diff.field("addresses", Some(&old), Some(&new));
        }
        if let Some(phones) = &patch.phones {
            sqlx::query("DELETE FROM phones WHERE client_id = $1 AND contact_person_id IS NULL")
                .bind(id.0)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            insert_phones(&mut tx, id, None, phones).await?;
            let old = before.phones.iter().map(|p| p.e164.as_str()).collect::<Vec<_>>().join(", ");
            diff.field("phones", Some(&old), Some(&phones_text(phones)));
        }
        if let Some(emails) = &patch.emails {
            sqlx::query("DELETE FROM emails WHERE client_id = $1 AND contact_person_id IS NULL")
                .bind(id.0)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            insert_emails(&mut tx, id, None, emails).await?;
            let old = before.emails.iter().map(|e| e.address.as_str()).collect::<Vec<_>>().join(", ");
            diff.field("emails", Some(&old), Some(&emails_text(emails)));
        }
        for (attribute, value) in patch.attributes.iter().flatten() {
            let old: Option<String> =
                sqlx::query_scalar("SELECT value FROM client_attributes WHERE client_id = $1 AND attribute_id = $2")
                    .bind(id.0)
                    .bind(attribute.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(backend)?;
            let key: String = sqlx::query_scalar("SELECT key FROM attribute_defs WHERE id = $1")
                .bind(attribute.0)
                .fetch_one(&mut *tx)
                .await
                .map_err(backend)?;
            set_attribute(&mut tx, id, *attribute, value.as_deref()).await?;
            diff.field(format!("attributes.{key}"), old.as_deref(), value.as_deref());
        }
        if let Some(nodes) = &patch.classifier {
            sqlx::query("DELETE FROM client_classifier WHERE client_id = $1").bind(id.0).execute(&mut *tx).await.map_err(backend)?;
            insert_classifier(&mut tx, id, nodes).await?;
            let old = before.classifier.iter().map(|b| b.id.to_string()).collect::<Vec<_>>().join(",");
            let new = nodes.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(",");
            diff.field("classifier", Some(&old), Some(&new));
        }
        write_audit(&mut tx, now, Some(actor), "client", id.0, "update", &diff.into_changes()).await?;
        // Read without the scope: a supervisor who hands a client to an agent
        // still gets the card of what they just saved.
        let after = load_client(&mut tx, ClientScope::All, id).await?;
        tx.commit().await.map_err(backend)?;
        Ok(after)
    }

    async fn clients(&self, scope: ClientScope, filter: &ClientFilter, page: &PageRequest) -> Result<Page<ClientSummary>, RepoError> {
        let mut qb = QueryBuilder::<Db>::new(
            "SELECT c.id, c.kind, c.name, c.status, c.responsible_id, u.display_name AS responsible_name, c.created_at,
                    (SELECT p.number FROM phones p WHERE p.client_id = c.id AND p.contact_person_id IS NULL
                     ORDER BY p.position LIMIT 1) AS primary_phone,
                    (SELECT e.address FROM emails e WHERE e.client_id = c.id AND e.contact_person_id IS NULL
                     ORDER BY e.position LIMIT 1) AS primary_email
             FROM clients c LEFT JOIN users u ON u.id = c.responsible_id WHERE",
        );
        push_client_scope(&mut qb, scope);
        push_client_filter(&mut qb, filter);
        let (column, descending) = match filter.sort {
            ClientSort::Name => ("c.name_folded", false),
            ClientSort::NameDesc => ("c.name_folded", true),
            ClientSort::Created => ("c.created_at", false),
            ClientSort::CreatedDesc => ("c.created_at", true),
        };
        let by_name = matches!(filter.sort, ClientSort::Name | ClientSort::NameDesc);
        if let Some(after) = &page.after {
            let op = if descending { " < " } else { " > " };
            let key = after.key.clone().unwrap_or_default();
            qb.push(" AND (").push(column).push(op);
            push_sort_key(&mut qb, by_name, &key)?;
            qb.push(" OR (").push(column).push(" = ");
            push_sort_key(&mut qb, by_name, &key)?;
            qb.push(" AND c.id").push(op).push_bind(after.id).push("))");
        }
        let direction = if descending { " DESC" } else { " ASC" };
        qb.push(" ORDER BY ").push(column).push(direction).push(", c.id").push(direction);
        qb.push(" LIMIT ").push_bind(page.fetch_limit());
        let rows = qb.build().fetch_all(&self.pool).await.map_err(backend)?;
        let items = rows.iter().map(summary_from_row).collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_rows(items, page, |c| Cursor {
            key: Some(if by_name { fold(&c.name) } else { c.created_at.to_rfc3339() }),
            id: c.id.0,
        }))
    }

    async fn lookup_phone(&self, scope: ClientScope, e164: &str, now: DateTime<Utc>) -> Result<Option<ScreenPop>, RepoError> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        screen_pop(&mut conn, scope, e164, now).await
    }

    async fn add_contact_person(
        &self,
        scope: ClientScope,
        actor: UserId,
        client: ClientId,
        person: NewContactPerson,
        now: DateTime<Utc>,
    ) -> Result<ContactPersonId, RepoError> {
        let mut tx = self.begin_write().await?;
        if !client_visible(&mut tx, scope, client).await? {
            return Err(RepoError::NotFound);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO contact_persons (client_id, name, position, notes, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(client.0)
        .bind(person.name.as_str())
        .bind(person.position.as_deref())
        .bind(person.notes.as_deref())
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        let id = ContactPersonId(id);
        insert_phones(&mut tx, client, Some(id), &person.phones).await?;
        insert_emails(&mut tx, client, Some(id), &person.emails).await?;
        write_audit(&mut tx, now, Some(actor), "contact_person", id.0, "create", &[]).await?;
        sqlx::query("UPDATE clients SET updated_at = $1 WHERE id = $2").bind(now).bind(client.0).execute(&mut *tx).await.map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(id)
    }

    async fn delete_contact_person(&self, scope: ClientScope, actor: UserId, id: ContactPersonId, now: DateTime<Utc>) -> Result<(), RepoError> {
        let mut tx = self.begin_write().await?;
        let client: Option<i64> = sqlx::query_scalar("SELECT client_id FROM contact_persons WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
        let Some(client) = client else { return Err(RepoError::NotFound) };
        if !client_visible(&mut tx, scope, ClientId(client)).await? {
            return Err(RepoError::NotFound);
        }
        sqlx::query("DELETE FROM contact_persons WHERE id = $1").bind(id.0).execute(&mut *tx).await.map_err(backend)?;
        write_audit(&mut tx, now, Some(actor), "contact_person", id.0, "delete", &[]).await?;
        tx.commit().await.map_err(backend)
    }
}

/// Binds a cursor's sort key: folded name text, or a timestamp.
fn push_sort_key(qb: &mut QueryBuilder<Db>, by_name: bool, key: &str) -> Result<(), RepoError> {
    if by_name {
        qb.push_bind(key.to_string());
    } else {
        let at = DateTime::parse_from_rfc3339(key)
            .map_err(|_| invalid("cursor", "is not a cursor from this API"))?
            .with_timezone(&Utc);
        qb.push_bind(at);
    }
    Ok(())
}

/// Appends the conditions of `filter` (after a scope: each starts with AND).
fn push_client_filter(qb: &mut QueryBuilder<Db>, filter: &ClientFilter) {
    if let Some(status) = &filter.status {
        qb.push(" AND c.status = ").push_bind(status.clone());
    }
    if let Some(kind) = filter.kind {
        qb.push(" AND c.kind = ").push_bind(kind.as_str());
    }
    if let Some(responsible) = filter.responsible {
        qb.push(" AND c.responsible_id = ").push_bind(responsible.0);
    }
    if let Some(node) = filter.classifier {
        qb.push(
            " AND c.id IN (SELECT cc.client_id FROM client_classifier cc
               JOIN classifier_nodes n ON n.id = cc.node_id
               WHERE n.path LIKE (SELECT path FROM classifier_nodes WHERE id = ",
        )
        .push_bind(node.0)
        .push(") || '%')");
    }
    for (attribute, value) in &filter.attributes {
        qb.push(" AND c.id IN (SELECT client_id FROM client_attributes WHERE attribute_id = ")
            .push_bind(attribute.0)
            .push(" AND value = ")
            .push_bind(value.clone())
            .push(")");
    }
    if let Some(text) = &filter.text {
        let pattern = format!("%{}%", like_escape(text));
        qb.push(" AND (c.name_folded LIKE ")
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\' OR c.id IN (SELECT client_id FROM emails WHERE address LIKE ")
            .push_bind(pattern)
            .push(" ESCAPE '\\')");
        if let Some(digits) = &filter.phone_digits {
            qb.push(" OR c.id IN (SELECT client_id FROM phones WHERE e164 LIKE ")
                .push_bind(format!("%{digits}%"))
                .push(")");
        }
        qb.push(")");
    }
}
