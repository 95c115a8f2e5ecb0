// The client card and the screen pop (included by both backends).

type Conn = <Db as sqlx::Database>::Connection;

/// Loads the whole card of a client the scope reaches.
async fn load_client(conn: &mut Conn, scope: ClientScope, id: ClientId) -> Result<Client, RepoError> {
    let mut qb = QueryBuilder::<Db>::new(
        "SELECT c.*, u.display_name AS responsible_name FROM clients c
         LEFT JOIN users u ON u.id = c.responsible_id WHERE c.id = ",
    );
    qb.push_bind(id.0).push(" AND ");
    push_client_scope(&mut qb, scope);
    let row = qb.build().fetch_optional(&mut *conn).await.map_err(backend)?.ok_or(RepoError::NotFound)?;
    let kind: String = row.try_get("kind").map_err(backend)?;

    let (phones, person_phones) = split_by_person(
        sqlx::query("SELECT id, contact_person_id, number, e164, kind FROM phones WHERE client_id = $1 ORDER BY position, id")
            .bind(id.0)
            .fetch_all(&mut *conn)
            .await
            .map_err(backend)?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get::<Option<i64>, _>("contact_person_id").map_err(backend)?,
                    PhoneView {
                        id: r.try_get("id").map_err(backend)?,
                        number: r.try_get("number").map_err(backend)?,
                        e164: r.try_get("e164").map_err(backend)?,
                        kind: r.try_get("kind").map_err(backend)?,
                    },
                ))
            })
            .collect::<Result<Vec<_>, RepoError>>()?,
    );
    let (emails, person_emails) = split_by_person(
        sqlx::query("SELECT id, contact_person_id, address FROM emails WHERE client_id = $1 ORDER BY position, id")
            .bind(id.0)
            .fetch_all(&mut *conn)
            .await
            .map_err(backend)?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get::<Option<i64>, _>("contact_person_id").map_err(backend)?,
                    EmailView {
                        id: r.try_get("id").map_err(backend)?,
                        address: r.try_get("address").map_err(backend)?,
                    },
                ))
            })
            .collect::<Result<Vec<_>, RepoError>>()?,
    );
    let addresses = sqlx::query("SELECT kind, text FROM client_addresses WHERE client_id = $1 ORDER BY position, id")
        .bind(id.0)
        .fetch_all(&mut *conn)
        .await
        .map_err(backend)?
        .iter()
        .map(|r| {
            let kind: String = r.try_get("kind").map_err(backend)?;
            Ok(Address {
                kind: parse_stored("address kind", &kind)?,
                text: r.try_get("text").map_err(backend)?,
            })
        })
        .collect::<Result<Vec<_>, RepoError>>()?;
    let mut attributes = std::collections::BTreeMap::new();
    for r in sqlx::query(
        "SELECT d.id, d.key, d.label, d.kind, d.choices, a.value FROM client_attributes a
         JOIN attribute_defs d ON d.id = a.attribute_id WHERE a.client_id = $1",
    )
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await
    .map_err(backend)?
    {
        let def = attribute_def_from_row(&r)?;
        let value: String = r.try_get("value").map_err(backend)?;
        attributes.insert(def.key.clone(), def.to_json(&value));
    }
    let classifier = client_branches(conn, id).await?;
    let persons = sqlx::query("SELECT id, name, position, notes FROM contact_persons WHERE client_id = $1 ORDER BY name, id")
        .bind(id.0)
        .fetch_all(&mut *conn)
        .await
        .map_err(backend)?;
    let contact_persons = persons
        .iter()
        .map(|r| {
            let person: i64 = r.try_get("id").map_err(backend)?;
            Ok(ContactPerson {
                id: ContactPersonId(person),
                client_id: id,
                name: r.try_get("name").map_err(backend)?,
                position: r.try_get("position").map_err(backend)?,
                phones: person_phones.iter().filter(|(p, _)| *p == person).map(|(_, v)| v.clone()).collect(),
                emails: person_emails.iter().filter(|(p, _)| *p == person).map(|(_, v)| v.clone()).collect(),
                notes: r.try_get("notes").map_err(backend)?,
            })
        })
        .collect::<Result<Vec<_>, RepoError>>()?;
    Ok(Client {
        id,
        kind: parse_stored("kind", &kind)?,
        name: row.try_get("name").map_err(backend)?,
        legal_name: row.try_get("legal_name").map_err(backend)?,
        tax_id: row.try_get("tax_id").map_err(backend)?,
        registration_number: row.try_get("registration_number").map_err(backend)?,
        bank_details: row.try_get("bank_details").map_err(backend)?,
        status: row.try_get("status").map_err(backend)?,
        advertising_source: row.try_get("advertising_source").map_err(backend)?,
        responsible_id: row.try_get::<Option<i64>, _>("responsible_id").map_err(backend)?.map(UserId),
        responsible_name: row.try_get("responsible_name").map_err(backend)?,
        notes: row.try_get("notes").map_err(backend)?,
        external_id: row.try_get("external_id").map_err(backend)?,
        addresses,
        phones,
        emails,
        attributes,
        classifier,
        contact_persons,
        created_at: row.try_get("created_at").map_err(backend)?,
        updated_at: row.try_get("updated_at").map_err(backend)?,
    })
}

/// Splits rows into the client's own and those of its contact persons.
fn split_by_person<T>(rows: Vec<(Option<i64>, T)>) -> (Vec<T>, Vec<(i64, T)>) {
    let mut own = Vec::new();
    let mut persons = Vec::new();
    for (person, value) in rows {
        match person {
            None => own.push(value),
            Some(p) => persons.push((p, value)),
        }
    }
    (own, persons)
}

/// The classifier nodes a client sits in, each with its ancestors' names.
async fn client_branches(conn: &mut Conn, client: ClientId) -> Result<Vec<ClassifierBranch>, RepoError> {
    let rows = sqlx::query(
        "SELECT n.id, n.name, n.path FROM client_classifier cc JOIN classifier_nodes n ON n.id = cc.node_id
         WHERE cc.client_id = $1 ORDER BY n.path",
    )
    .bind(client.0)
    .fetch_all(&mut *conn)
    .await
    .map_err(backend)?;
    let mut branches = Vec::with_capacity(rows.len());
    for r in rows {
        let path: String = r.try_get("path").map_err(backend)?;
        let ids = classifier::path_ids(&path);
        let mut qb = QueryBuilder::<Db>::new("SELECT id, name FROM classifier_nodes WHERE id IN (");
        let mut list = qb.separated(", ");
        for id in &ids {
            list.push_bind(id.0);
        }
        qb.push(")");
        let names: std::collections::HashMap<i64, String> = qb
            .build()
            .fetch_all(&mut *conn)
            .await
            .map_err(backend)?
            .iter()
            .map(|n| Ok((n.try_get("id").map_err(backend)?, n.try_get("name").map_err(backend)?)))
            .collect::<Result<_, RepoError>>()?;
        let path = ids.iter().filter_map(|id| names.get(&id.0).cloned()).collect::<Vec<_>>().join(" / ");
        branches.push(ClassifierBranch {
            id: NodeId(r.try_get("id").map_err(backend)?),
            name: r.try_get("name").map_err(backend)?,
            path,
        });
    }
    Ok(branches)
}

/// Everything an agent's screen shows when a call from `e164` rings. A
/// number on a client itself wins over the same number on a contact person.
async fn screen_pop(conn: &mut Conn, scope: ClientScope, e164: &str, now: DateTime<Utc>) -> Result<Option<ScreenPop>, RepoError> {
    let mut qb = QueryBuilder::<Db>::new(
        "SELECT p.client_id, p.contact_person_id FROM phones p JOIN clients c ON c.id = p.client_id WHERE p.e164 = ",
    );
    qb.push_bind(e164.to_string()).push(" AND ");
    push_client_scope(&mut qb, scope);
    qb.push(" ORDER BY CASE WHEN p.contact_person_id IS NULL THEN 0 ELSE 1 END, c.updated_at DESC, p.id LIMIT 1");
    let Some(hit) = qb.build().fetch_optional(&mut *conn).await.map_err(backend)? else {
        return Ok(None);
    };
    let client_id = ClientId(hit.try_get("client_id").map_err(backend)?);
    let person: Option<i64> = hit.try_get("contact_person_id").map_err(backend)?;
    let client = load_client(conn, ClientScope::All, client_id).await?;
    let contact_person = person.and_then(|p| client.contact_persons.iter().find(|cp| cp.id.0 == p).cloned());
    let recent_interactions = recent_interactions(conn, client_id, crate::crm::clients::SCREEN_POP_INTERACTIONS).await?;
    let open_tasks = open_tasks_of_client(conn, client_id, crate::crm::clients::SCREEN_POP_TASKS, now).await?;
    Ok(Some(ScreenPop {
        classifier: client.classifier.clone(),
        client,
        contact_person,
        recent_interactions,
        open_tasks,
    }))
}
