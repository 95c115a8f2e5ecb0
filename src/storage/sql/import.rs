// Bulk upsert of clients for imports (included by both backends). Rows are
// written with multi-row INSERT ... VALUES in one transaction per batch: one
// statement per few thousand rows instead of several per client is what makes
// a million-row import take seconds rather than minutes.

use std::collections::{HashMap, HashSet};

use crate::crm::import::{BulkLoad, ImportColumn, ImportColumns, ImportRepo, MatchField, Upserted};

/// Bind parameters per statement: under SQLite's limit (32,766) and
/// PostgreSQL's (65,535).
const MAX_BINDS: usize = 30_000;

/// Where a row of the batch goes: a stored client, or the n-th new one.
#[derive(Clone, Copy)]
enum Target {
    Stored(i64),
    New(usize),
}

#[async_trait]
impl ImportRepo for Store {
    async fn refresh_statistics(&self) -> Result<(), RepoError> {
        if BACKEND == "sqlite" {
            // A sample of each index, as `PRAGMA optimize` takes: a full
            // ANALYZE read every index at a million clients (2.4 s), the
            // sample takes milliseconds and plans the same queries.
            let mut conn = self.pool.acquire().await.map_err(backend)?;
            for sql in ["PRAGMA analysis_limit = 1000", "ANALYZE", "PRAGMA analysis_limit = 0"] {
                sqlx::query(sql).execute(&mut *conn).await.map_err(backend)?;
            }
        } else {
            // PostgreSQL samples on its own.
            sqlx::query("ANALYZE").execute(&self.pool).await.map_err(backend)?;
        }
        Ok(())
    }

    async fn upsert_clients(
        &self,
        actor: UserId,
        field: MatchField,
        columns: &ImportColumns,
        clients: &[NewClient],
        now: DateTime<Utc>,
    ) -> Result<Vec<Upserted>, RepoError> {
        let mut tx = self.begin_bulk().await?;
        let outcomes = upsert_in(&mut tx, actor, field, columns, clients, now).await?;
        tx.commit().await.map_err(backend)?;
        Ok(outcomes)
    }

    async fn begin_bulk_load(&self) -> Result<Option<Box<dyn BulkLoad>>, RepoError> {
        self.bulk_load().await
    }
}

/// Upserts `clients` inside `tx` (see [`ImportRepo::upsert_clients`]).
async fn upsert_in(
    tx: &mut Tx<'_>,
    actor: UserId,
    field: MatchField,
    columns: &ImportColumns,
    clients: &[NewClient],
    now: DateTime<Utc>,
) -> Result<Vec<Upserted>, RepoError> {
    let now = crate::crm::whole_seconds(now);
    let keys = clients
        .iter()
        .enumerate()
        .map(|(i, c)| field.key(c).ok_or_else(|| invalid(&format!("rows[{i}].{field}"), "is needed to match the row")))
        .collect::<Result<Vec<_>, _>>()?;
    check_references(tx, actor, clients).await?;
    let stored = stored_ids(tx, field, &keys).await?;
    // Plan every row before writing: a key seen earlier in the batch
    // updates the client that row created.
    let mut batch_keys: HashMap<&str, Target> = HashMap::new();
    let mut targets = Vec::with_capacity(clients.len());
    let mut fresh = 0;
    for key in &keys {
        let target = match batch_keys.get(key.as_str()).copied().or_else(|| stored.get(key).map(|&id| Target::Stored(id))) {
            Some(target) => target,
            None => {
                fresh += 1;
                Target::New(fresh - 1)
            }
        };
        batch_keys.entry(key).or_insert(target);
        targets.push(target);
    }
    let new_ids = reserve_client_ids(tx, fresh).await?;
    let mut created: Vec<(i64, &NewClient)> = Vec::with_capacity(fresh);
    let mut outcomes = Vec::with_capacity(clients.len());
    let mut updates: Vec<(i64, &NewClient)> = Vec::new();
    let mut first_of_new = vec![true; fresh];
    for (client, target) in clients.iter().zip(&targets) {
        let id = match *target {
            Target::Stored(id) => id,
            Target::New(n) => new_ids[n],
        };
        match *target {
            Target::New(n) if std::mem::take(&mut first_of_new[n]) => {
                created.push((id, client));
                outcomes.push(Upserted::Created(ClientId(id)));
            }
            _ => {
                updates.push((id, client));
                outcomes.push(Upserted::Updated(ClientId(id)));
            }
        }
    }
    insert_clients(tx, actor, &created, now).await?;
    insert_children(tx, &created, None).await?;
    update_clients(tx, columns, &updates, now).await?;
    let audit: Vec<(i64, &str)> = outcomes
        .iter()
        .map(|o| match o {
            Upserted::Created(id) => (id.0, "create"),
            Upserted::Updated(id) => (id.0, "update"),
        })
        .collect();
    bulk_insert(tx, "INSERT INTO audit_log (at, user_id, entity, entity_id, action) ", 5, &audit, |b, (id, action)| {
        b.push_bind(now).push_bind(actor.0).push_bind("client").push_bind(*id).push_bind(*action);
    })
    .await?;
    Ok(outcomes)
}

impl Store {
    /// A write transaction. SQLite takes the write lock at once, so the ids
    /// reserved from `MAX(id)` stay free until the commit.
    async fn begin_bulk(&self) -> Result<Tx<'static>, RepoError> {
        if BACKEND == "sqlite" {
            let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(backend)?;
            // Bulk inserts into the random-order indexes (names, phones,
            // e-mails) thrash SQLite's default 2 MB page cache; 256 MB keeps
            // most of their pages in memory at a million clients (measured:
            // 64 MB and 5,000-row batches stored 6,600 rows/s, this and
            // 20,000-row batches 22,000). It stays with this connection.
            sqlx::query("PRAGMA cache_size = -262144").execute(&mut *tx).await.map_err(backend)?;
            Ok(tx)
        } else {
            self.pool.begin().await.map_err(backend)
        }
    }
}


/// Ids for `count` new clients, known before the insert so that phones,
/// e-mails and attributes can be written in bulk beside them.
async fn reserve_client_ids(tx: &mut Tx<'_>, count: usize) -> Result<Vec<i64>, RepoError> {
    if count == 0 {
        return Ok(Vec::new());
    }
    if BACKEND == "sqlite" {
        let max: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM clients").fetch_one(&mut **tx).await.map_err(backend)?;
        Ok((1..=count as i64).map(|n| max + n).collect())
    } else {
        sqlx::query_scalar("SELECT nextval(pg_get_serial_sequence('clients', 'id')) FROM generate_series(1, $1)")
            .bind(count as i64)
            .fetch_all(&mut **tx)
            .await
            .map_err(backend)
    }
}

/// Refuses responsible users and classifier nodes that do not exist, so a
/// foreign key never fails in the middle of a bulk insert.
async fn check_references(tx: &mut Tx<'_>, actor: UserId, clients: &[NewClient]) -> Result<(), RepoError> {
    let users: HashSet<i64> = clients.iter().filter_map(|c| c.responsible_id).map(|u| u.0).chain([actor.0]).collect();
    let found = existing_ids(tx, "SELECT id FROM users WHERE id IN (", &users).await?;
    if let Some(i) = clients.iter().position(|c| c.responsible_id.is_some_and(|u| !found.contains(&u.0))) {
        return Err(invalid(&format!("rows[{i}].responsible"), "no such user"));
    }
    if !found.contains(&actor.0) {
        return Err(invalid("actor", "no such user"));
    }
    let nodes: HashSet<i64> = clients.iter().flat_map(|c| &c.classifier).map(|n| n.0).collect();
    if nodes.is_empty() {
        return Ok(());
    }
    let found = existing_ids(tx, "SELECT id FROM classifier_nodes WHERE id IN (", &nodes).await?;
    if let Some(i) = clients.iter().position(|c| c.classifier.iter().any(|n| !found.contains(&n.0))) {
        return Err(invalid(&format!("rows[{i}].classifier"), "no such classifier node"));
    }
    Ok(())
}

async fn existing_ids(tx: &mut Tx<'_>, head: &str, ids: &HashSet<i64>) -> Result<HashSet<i64>, RepoError> {
    let ids: Vec<i64> = ids.iter().copied().collect();
    let mut found = HashSet::new();
    for chunk in ids.chunks(MAX_BINDS) {
        let mut qb = QueryBuilder::<Db>::new(head);
        let mut list = qb.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        qb.push(")");
        let rows: Vec<i64> = qb.build_query_scalar().fetch_all(&mut **tx).await.map_err(backend)?;
        found.extend(rows);
    }
    Ok(found)
}

/// The stored clients the keys name. Several clients may share a tax id or a
/// first phone: the oldest one is updated.
async fn stored_ids(tx: &mut Tx<'_>, field: MatchField, keys: &[String]) -> Result<HashMap<String, i64>, RepoError> {
    let (head, tail) = match field {
        MatchField::ExternalId => ("SELECT id, external_id AS k FROM clients WHERE external_id IN (", ")"),
        MatchField::TaxId => ("SELECT MIN(id), tax_id AS k FROM clients WHERE tax_id IN (", ") GROUP BY tax_id"),
        MatchField::Phone => (
            "SELECT MIN(client_id), e164 AS k FROM phones WHERE position = 0 AND contact_person_id IS NULL AND e164 IN (",
            ") GROUP BY e164",
        ),
        MatchField::Email => (
            "SELECT MIN(client_id), address AS k FROM emails WHERE position = 0 AND contact_person_id IS NULL AND address IN (",
            ") GROUP BY address",
        ),
    };
    let distinct: Vec<&str> = keys.iter().map(String::as_str).collect::<HashSet<_>>().into_iter().collect();
    let mut stored = HashMap::new();
    for chunk in distinct.chunks(MAX_BINDS) {
        let mut qb = QueryBuilder::<Db>::new(head);
        let mut list = qb.separated(", ");
        for key in chunk {
            list.push_bind(*key);
        }
        qb.push(tail);
        let rows: Vec<(i64, String)> = qb.build_query_as().fetch_all(&mut **tx).await.map_err(backend)?;
        stored.extend(rows.into_iter().map(|(id, key)| (key, id)));
    }
    Ok(stored)
}

/// Appends `rows` to `head` as multi-row VALUES, as many rows per statement
/// as the bind limit allows.
async fn bulk_insert<T>(
    tx: &mut Tx<'_>,
    head: &str,
    width: usize,
    rows: &[T],
    mut push: impl FnMut(&mut sqlx::query_builder::Separated<'_, Db, &'static str>, &T),
) -> Result<(), RepoError> {
    for chunk in rows.chunks(MAX_BINDS / width) {
        let mut qb = QueryBuilder::<Db>::new(head);
        qb.push_values(chunk, |mut b, row| push(&mut b, row));
        qb.build().execute(&mut **tx).await.map_err(conflict_on("external_id"))?;
    }
    Ok(())
}

async fn insert_clients(tx: &mut Tx<'_>, actor: UserId, rows: &[(i64, &NewClient)], now: DateTime<Utc>) -> Result<(), RepoError> {
    bulk_insert(
        tx,
        "INSERT INTO clients (id, kind, name, name_folded, legal_name, tax_id, registration_number, bank_details,
                              status, advertising_source, responsible_id, notes, external_id, created_at, updated_at) ",
        15,
        rows,
        |b, (id, c)| {
            b.push_bind(*id)
                .push_bind(c.kind.as_str())
                .push_bind(c.name.as_str())
                .push_bind(fold(c.name.as_str()))
                .push_bind(c.legal_name.as_deref())
                .push_bind(c.tax_id.as_deref())
                .push_bind(c.registration_number.as_deref())
                .push_bind(c.bank_details.as_deref())
                .push_bind(c.status.as_deref())
                .push_bind(c.advertising_source.as_deref())
                .push_bind(c.responsible_id.unwrap_or(actor).0)
                .push_bind(c.notes.as_deref())
                .push_bind(c.external_id.as_deref())
                .push_bind(now)
                .push_bind(now);
        },
    )
    .await
}

/// Which lists of a client an insert writes; `None` writes all of them.
fn writes(columns: Option<&ImportColumns>, column: ImportColumn) -> bool {
    columns.is_none_or(|c| c.has(column))
}

/// Writes the phones, e-mails, addresses, attribute values and classifier
/// branches of the clients: all of them for new clients, those of the file's
/// columns (`columns`) for updated ones, whose old lists were deleted.
async fn insert_children(tx: &mut Tx<'_>, rows: &[(i64, &NewClient)], columns: Option<&ImportColumns>) -> Result<(), RepoError> {
    if writes(columns, ImportColumn::Phone) {
        let phones: Vec<(i64, usize, &PhoneEntry)> = rows.iter().flat_map(|(id, c)| c.phones.iter().enumerate().map(move |(i, p)| (*id, i, p))).collect();
        bulk_insert(tx, "INSERT INTO phones (client_id, number, e164, kind, position) ", 5, &phones, |b, (id, i, p)| {
            b.push_bind(*id).push_bind(p.phone.entered()).push_bind(p.phone.e164()).push_bind(p.kind.as_deref()).push_bind(*i as i64);
        })
        .await?;
    }
    if writes(columns, ImportColumn::Email) {
        let emails: Vec<(i64, usize, &Email)> = rows.iter().flat_map(|(id, c)| c.emails.iter().enumerate().map(move |(i, e)| (*id, i, e))).collect();
        bulk_insert(tx, "INSERT INTO emails (client_id, address, position) ", 3, &emails, |b, (id, i, e)| {
            b.push_bind(*id).push_bind(e.as_str()).push_bind(*i as i64);
        })
        .await?;
    }
    if writes(columns, ImportColumn::Address) {
        let addresses: Vec<(i64, usize, &Address)> = rows.iter().flat_map(|(id, c)| c.addresses.iter().enumerate().map(move |(i, a)| (*id, i, a))).collect();
        bulk_insert(tx, "INSERT INTO client_addresses (client_id, kind, text, position) ", 4, &addresses, |b, (id, i, a)| {
            b.push_bind(*id).push_bind(a.kind.as_str()).push_bind(a.text.as_str()).push_bind(*i as i64);
        })
        .await?;
    }
    // An update replaces only the attributes of the file's columns.
    let kept = |attribute: &AttributeId| columns.is_none_or(|c| c.attributes.contains(attribute));
    let attributes: Vec<(i64, &(AttributeId, String))> =
        rows.iter().flat_map(|(id, c)| c.attributes.iter().filter(|(a, _)| kept(a)).map(move |a| (*id, a))).collect();
    bulk_insert(tx, "INSERT INTO client_attributes (client_id, attribute_id, value) ", 3, &attributes, |b, (id, (attribute, value))| {
        b.push_bind(*id).push_bind(attribute.0).push_bind(value.as_str());
    })
    .await?;
    if writes(columns, ImportColumn::Classifier) {
        let nodes: Vec<(i64, NodeId)> = rows
            .iter()
            .flat_map(|(id, c)| c.classifier.iter().collect::<HashSet<_>>().into_iter().map(move |n| (*id, *n)))
            .collect();
        bulk_insert(tx, "INSERT INTO client_classifier (client_id, node_id) ", 2, &nodes, |b, (id, node)| {
            b.push_bind(*id).push_bind(node.0);
        })
        .await?;
    }
    Ok(())
}

/// Updates clients with the file's columns, in row order so the last row of
/// a key wins, then replaces the lists those columns hold.
async fn update_clients(tx: &mut Tx<'_>, columns: &ImportColumns, rows: &[(i64, &NewClient)], now: DateTime<Utc>) -> Result<(), RepoError> {
    if rows.is_empty() {
        return Ok(());
    }
    let text_columns = [
        (ImportColumn::LegalName, "legal_name"),
        (ImportColumn::TaxId, "tax_id"),
        (ImportColumn::RegistrationNumber, "registration_number"),
        (ImportColumn::BankDetails, "bank_details"),
        (ImportColumn::Status, "status"),
        (ImportColumn::AdvertisingSource, "advertising_source"),
        (ImportColumn::Notes, "notes"),
        (ImportColumn::ExternalId, "external_id"),
    ];
    for (id, c) in rows {
        let mut qb = QueryBuilder::<Db>::new("UPDATE clients SET kind = ");
        qb.push_bind(c.kind.as_str()).push(", name = ").push_bind(c.name.as_str());
        qb.push(", name_folded = ").push_bind(fold(c.name.as_str()));
        for (column, name) in text_columns {
            if columns.has(column) {
                let value = match column {
                    ImportColumn::LegalName => &c.legal_name,
                    ImportColumn::TaxId => &c.tax_id,
                    ImportColumn::RegistrationNumber => &c.registration_number,
                    ImportColumn::BankDetails => &c.bank_details,
                    ImportColumn::Status => &c.status,
                    ImportColumn::AdvertisingSource => &c.advertising_source,
                    ImportColumn::Notes => &c.notes,
                    _ => &c.external_id,
                };
                qb.push(", ").push(name).push(" = ").push_bind(value.as_deref());
            }
        }
        // An empty responsible cell keeps the client with whoever has it.
        if let Some(responsible) = c.responsible_id {
            qb.push(", responsible_id = ").push_bind(responsible.0);
        }
        qb.push(", updated_at = ").push_bind(now).push(" WHERE id = ").push_bind(*id);
        qb.build().execute(&mut **tx).await.map_err(conflict_on("external_id"))?;
    }
    // The last row of each client holds its lists.
    let mut last: HashMap<i64, &NewClient> = HashMap::new();
    for (id, c) in rows {
        last.insert(*id, c);
    }
    let ids: Vec<i64> = last.keys().copied().collect();
    let deletes = [
        (ImportColumn::Phone, "DELETE FROM phones WHERE contact_person_id IS NULL AND client_id IN ("),
        (ImportColumn::Email, "DELETE FROM emails WHERE contact_person_id IS NULL AND client_id IN ("),
        (ImportColumn::Address, "DELETE FROM client_addresses WHERE client_id IN ("),
        (ImportColumn::Classifier, "DELETE FROM client_classifier WHERE client_id IN ("),
    ];
    for (column, head) in deletes {
        if columns.has(column) {
            delete_for(tx, head, &ids, None).await?;
        }
    }
    if !columns.attributes.is_empty() {
        delete_for(tx, "DELETE FROM client_attributes WHERE client_id IN (", &ids, Some(&columns.attributes)).await?;
    }
    let last: Vec<(i64, &NewClient)> = last.into_iter().collect();
    insert_children(tx, &last, Some(columns)).await
}

/// Runs `head` over the clients `ids`, limited to some attributes when given.
async fn delete_for(tx: &mut Tx<'_>, head: &str, ids: &[i64], attributes: Option<&[AttributeId]>) -> Result<(), RepoError> {
    for chunk in ids.chunks(MAX_BINDS / 2) {
        let mut qb = QueryBuilder::<Db>::new(head);
        let mut list = qb.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        qb.push(")");
        if let Some(attributes) = attributes {
            qb.push(" AND attribute_id IN (");
            let mut list = qb.separated(", ");
            for attribute in attributes {
                list.push_bind(attribute.0);
            }
            qb.push(")");
        }
        qb.build().execute(&mut **tx).await.map_err(backend)?;
    }
    Ok(())
}
