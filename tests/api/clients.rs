use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, fields, on_both_backends};

async fn a_client_keeps_phones_as_entered_and_in_e164(app: TestApp) {
    let admin = app.admin().await;
    let id = admin
        .create_client(json!({
            "kind": "legal", "name": "Acme Trading", "tax_id": "7701234567",
            "phones": [{"number": "(202) 555-0143", "kind": "work"}, {"number": "+49 30 1234567"}],
            "emails": [{"address": "Office@Acme.example"}],
            "addresses": [{"kind": "legal", "text": "1 Main St, Springfield"}]
        }))
        .await;
    let (status, card) = admin.get(&format!("/api/v1/clients/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(card["name"], "Acme Trading");
    assert_eq!(card["phones"][0]["number"], "(202) 555-0143");
    assert_eq!(card["phones"][0]["e164"], "+12025550143");
    assert_eq!(card["phones"][1]["e164"], "+49301234567");
    assert_eq!(card["emails"][0]["address"], "office@acme.example");
    assert_eq!(card["addresses"][0]["kind"], "legal");
    assert_eq!(
        card["responsible_name"], "Ada Admin",
        "the creator is responsible"
    );
}

async fn lookup_finds_the_client_by_any_written_form(app: TestApp) {
    let admin = app.admin().await;
    let id = admin
        .create_client(json!({"kind": "individual", "name": "Maria Lopez", "phones": [{"number": "202-555-0199"}]}))
        .await;
    admin
        .post("/api/v1/interactions", json!({"client_id": id, "channel": "call", "direction": "in", "notes": "asked for prices"}))
        .await;
    admin
        .post("/api/v1/tasks", json!({"client_id": id, "title": "Send the price list", "due_at": "2030-01-01T10:00:00Z"}))
        .await;
    for form in [
        "+12025550199",
        "(202) 555 0199",
        "1-202-555-0199",
        "+1 202.555.0199",
    ] {
        let (status, pop) = admin
            .get(&format!("/api/v1/clients/lookup?phone={}", urlencode(form)))
            .await;
        assert_eq!(status, StatusCode::OK, "{form}: {pop}");
        assert_eq!(pop["client"]["id"], id);
        assert_eq!(pop["client"]["name"], "Maria Lopez");
        assert_eq!(pop["contact_person"], serde_json::Value::Null);
        assert_eq!(pop["recent_interactions"][0]["notes"], "asked for prices");
        assert_eq!(pop["open_tasks"][0]["title"], "Send the price list");
        assert!(pop["classifier"].is_array());
    }
    let (status, _) = admin
        .get("/api/v1/clients/lookup?phone=%2B12025550100")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = admin.get("/api/v1/clients/lookup?phone=hello").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(fields(&body), vec!["phone"]);
}

async fn lookup_by_a_contact_persons_phone_names_the_person(app: TestApp) {
    let admin = app.admin().await;
    let id = admin
        .create_client(json!({"kind": "legal", "name": "Globex"}))
        .await;
    let (status, _) = admin
        .post(
            &format!("/api/v1/clients/{id}/contact-persons"),
            json!({"name": "Hank Scorpio", "position": "CEO", "phones": [{"number": "+1 415 555 0101"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, pop) = admin.get("/api/v1/clients/lookup?phone=4155550101").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(pop["client"]["name"], "Globex");
    assert_eq!(pop["contact_person"]["name"], "Hank Scorpio");
    assert_eq!(
        pop["client"]["contact_persons"][0]["phones"][0]["e164"],
        "+14155550101"
    );
    assert!(
        pop["client"]["phones"].as_array().unwrap().is_empty(),
        "person phones are not the client's"
    );
}

async fn the_list_searches_name_phone_and_email_and_pages(app: TestApp) {
    let admin = app.admin().await;
    for i in 0..7 {
        admin
            .create_client(json!({"kind": "legal", "name": format!("Widget Co {i}"),
                "phones": [{"number": format!("+1 312 555 01{i:02}")}],
                "emails": [{"address": format!("buyer{i}@widget.example")}]}))
            .await;
    }
    admin
        .create_client(json!({"kind": "individual", "name": "Zoë Ünal"}))
        .await;
    let (_, page) = admin.get("/api/v1/clients?q=widget&limit=3").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
    assert_eq!(page["items"][0]["name"], "Widget Co 0");
    let mut seen: Vec<String> = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, page) = admin
            .get(&format!("/api/v1/clients?q=widget&limit=3&cursor={cursor}"))
            .await;
        assert_eq!(status, StatusCode::OK);
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap().to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => break,
        }
    }
    assert_eq!(seen.len(), 7, "{seen:?}");
    let (_, by_phone) = admin.get("/api/v1/clients?q=312%20555%200104").await;
    assert_eq!(by_phone["items"][0]["name"], "Widget Co 4");
    assert_eq!(by_phone["items"].as_array().unwrap().len(), 1);
    let (_, by_email) = admin.get("/api/v1/clients?q=BUYER6%40").await;
    assert_eq!(by_email["items"][0]["name"], "Widget Co 6");
    let (_, unicode) = admin.get("/api/v1/clients?q=%C3%BCnal").await;
    assert_eq!(
        unicode["items"][0]["name"], "Zoë Ünal",
        "case folding beyond ASCII"
    );
    let (_, newest) = admin.get("/api/v1/clients?sort=-name&limit=1").await;
    assert_eq!(newest["items"][0]["name"], "Zoë Ünal");
    let (_, individuals) = admin.get("/api/v1/clients?kind=individual").await;
    assert_eq!(individuals["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        individuals["items"][0]["primary_phone"],
        serde_json::Value::Null
    );
    let (_, percent) = admin.get("/api/v1/clients?q=%25").await;
    assert!(
        percent["items"].as_array().unwrap().is_empty(),
        "% is matched literally"
    );
}

async fn classifier_filters_include_descendants(app: TestApp) {
    let admin = app.admin().await;
    let (_, temp) = admin
        .post("/api/v1/classifier", json!({"name": "Temperature"}))
        .await;
    let temp = temp["id"].as_i64().unwrap();
    let (_, hot) = admin
        .post(
            "/api/v1/classifier",
            json!({"name": "Hot", "parent_id": temp}),
        )
        .await;
    let hot = hot["id"].as_i64().unwrap();
    let (_, size) = admin
        .post("/api/v1/classifier", json!({"name": "Size"}))
        .await;
    let size = size["id"].as_i64().unwrap();
    let (_, large) = admin
        .post(
            "/api/v1/classifier",
            json!({"name": "Large", "parent_id": size}),
        )
        .await;
    let large = large["id"].as_i64().unwrap();
    let (status, body) = admin
        .post(
            "/api/v1/classifier",
            json!({"name": "Hot", "parent_id": temp}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    let both = admin
        .create_client(json!({"kind": "legal", "name": "Both", "classifier": [hot, large]}))
        .await;
    admin
        .create_client(json!({"kind": "legal", "name": "OnlyLarge", "classifier": [large]}))
        .await;
    admin
        .create_client(json!({"kind": "legal", "name": "None"}))
        .await;

    let names = |v: serde_json::Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names(
            admin
                .get(&format!("/api/v1/clients?classifier={temp}"))
                .await
                .1
        ),
        vec!["Both"]
    );
    assert_eq!(
        names(
            admin
                .get(&format!("/api/v1/clients?classifier={size}"))
                .await
                .1
        ),
        vec!["Both", "OnlyLarge"]
    );
    assert_eq!(
        names(
            admin
                .get(&format!("/api/v1/clients?classifier={hot}"))
                .await
                .1
        ),
        vec!["Both"]
    );
    let (_, card) = admin.get(&format!("/api/v1/clients/{both}")).await;
    let paths: Vec<_> = card["classifier"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths.len(), 2);
    assert!(
        paths.contains(&"Temperature / Hot") && paths.contains(&"Size / Large"),
        "{paths:?}"
    );
    let (status, _) = admin.delete(&format!("/api/v1/classifier/{temp}")).await;
    assert_eq!(status, StatusCode::CONFLICT, "a node with children stays");
}

async fn attributes_are_typed_and_filterable(app: TestApp) {
    let admin = app.admin().await;
    let (status, _) = admin
        .post("/api/v1/attributes", json!({"key": "tier", "label": "Tier", "kind": "choice", "choices": ["gold", "silver"]}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    admin
        .post(
            "/api/v1/attributes",
            json!({"key": "employees", "label": "Employees", "kind": "number"}),
        )
        .await;
    admin
        .post(
            "/api/v1/attributes",
            json!({"key": "vat_payer", "label": "VAT payer", "kind": "boolean"}),
        )
        .await;
    let (status, body) = admin
        .post("/api/v1/clients", json!({"kind": "legal", "name": "Bad", "attributes": {"tier": "bronze", "employees": "many", "nope": 1}}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut named = fields(&body);
    named.sort();
    assert_eq!(
        named,
        vec!["attributes.employees", "attributes.nope", "attributes.tier"]
    );
    let (_, list) = admin.get("/api/v1/clients").await;
    assert!(
        list["items"].as_array().unwrap().is_empty(),
        "nothing half-written"
    );

    let gold = admin
        .create_client(json!({"kind": "legal", "name": "Gold Inc", "attributes": {"tier": "gold", "employees": 250, "vat_payer": true}}))
        .await;
    admin
        .create_client(
            json!({"kind": "legal", "name": "Silver Inc", "attributes": {"tier": "silver"}}),
        )
        .await;
    let (_, card) = admin.get(&format!("/api/v1/clients/{gold}")).await;
    assert_eq!(
        card["attributes"],
        json!({"tier": "gold", "employees": 250.0, "vat_payer": true})
    );
    let (_, found) = admin.get("/api/v1/clients?attr.tier=gold").await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    assert_eq!(found["items"][0]["name"], "Gold Inc");
    let (_, found) = admin.get("/api/v1/clients?attr.vat_payer=true").await;
    assert_eq!(found["items"][0]["name"], "Gold Inc");
    let (status, body) = admin.get("/api/v1/clients?attr.colour=red").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(fields(&body), vec!["attr.colour"]);

    let (status, card) = admin
        .patch(
            &format!("/api/v1/clients/{gold}"),
            json!({"attributes": {"tier": "silver", "employees": null}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        card["attributes"],
        json!({"tier": "silver", "vat_payer": true})
    );
    let (_, audit) = admin
        .get(&format!("/api/v1/audit?entity=client&entity_id={gold}"))
        .await;
    let tier = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "attributes.tier")
        .unwrap();
    assert_eq!(
        (tier["old_value"].as_str(), tier["new_value"].as_str()),
        (Some("gold"), Some("silver"))
    );
}

async fn changes_are_audited_field_by_field(app: TestApp) {
    let admin = app.admin().await;
    let id = admin
        .create_client(json!({"kind": "legal", "name": "Initech", "status": "prospect"}))
        .await;
    let (status, card) = admin
        .patch(&format!("/api/v1/clients/{id}"), json!({"status": "customer", "notes": "signed", "phones": [{"number": "+1 512 555 0100"}]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{card}");
    assert_eq!(card["status"], "customer");
    assert_eq!(card["name"], "Initech", "fields not sent stay");
    let (_, card) = admin
        .patch(&format!("/api/v1/clients/{id}"), json!({"notes": null}))
        .await;
    assert_eq!(card["notes"], serde_json::Value::Null, "null clears");
    let (status, audit) = admin
        .get(&format!("/api/v1/audit?entity=client&entity_id={id}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let entries = audit["items"].as_array().unwrap();
    let status_change = entries
        .iter()
        .find(|e| e["field"] == "status")
        .expect("status change audited");
    assert_eq!(status_change["old_value"], "prospect");
    assert_eq!(status_change["new_value"], "customer");
    assert_eq!(status_change["username"], "admin");
    assert!(
        entries
            .iter()
            .any(|e| e["field"] == "phones" && e["new_value"] == "+15125550100")
    );
    assert!(entries.iter().any(|e| e["action"] == "create"));
    assert_eq!(entries.iter().filter(|e| e["field"] == "notes").count(), 2);
}

async fn a_failed_command_writes_nothing(app: TestApp) {
    let admin = app.admin().await;
    let (status, body) = admin
        .post("/api/v1/clients", json!({"kind": "legal", "name": "Ghost", "phones": [{"number": "+1 202 555 0143"}], "classifier": [999]}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), vec!["classifier[0]"]);
    let (status, _) = admin
        .get("/api/v1/clients/lookup?phone=%2B12025550143")
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the phone of the failed client was not kept"
    );
    let id = admin
        .create_client(json!({"kind": "legal", "name": "Ext", "external_id": "ERP-1"}))
        .await;
    let (status, body) = admin
        .post(
            "/api/v1/clients",
            json!({"kind": "legal", "name": "Ext2", "external_id": "ERP-1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(fields(&body), vec!["external_id"]);
    assert!(id > 0);
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

on_both_backends!(
    a_client_keeps_phones_as_entered_and_in_e164,
    lookup_finds_the_client_by_any_written_form,
    lookup_by_a_contact_persons_phone_names_the_person,
    the_list_searches_name_phone_and_email_and_pages,
    classifier_filters_include_descendants,
    attributes_are_typed_and_filterable,
    changes_are_audited_field_by_field,
    a_failed_command_writes_nothing,
);
