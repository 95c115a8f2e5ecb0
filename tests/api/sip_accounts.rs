use reqwest::StatusCode;
use serde_json::{Value, json};
use switchboard::crm::sip_accounts::SipCredential;
use switchboard::sip::digest::Ha1Set;

use crate::helpers::{SIP_REALM, Session, TestApp, fields, on_both_backends};

const ACCOUNTS: &str = "/api/v1/sip/accounts";

async fn create(admin: &Session<'_>, body: Value) -> i64 {
    let (status, body) = admin.post(ACCOUNTS, body).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

/// What the SIP engine would load for one extension.
async fn credential(app: &TestApp, extension: &str) -> Option<SipCredential> {
    app.repo
        .sip_credentials()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.extension == extension)
}

async fn an_account_lists_without_password_or_ha1(app: TestApp) {
    let admin = app.admin().await;
    let admin_id = admin.me().await["id"].as_i64().unwrap();
    let id = create(
        &admin,
        json!({"extension": "1001", "password": "secret-1001", "display_name": "Reception", "user_id": admin_id}),
    )
    .await;

    let (status, list) = admin.get(ACCOUNTS).await;
    assert_eq!(status, StatusCode::OK);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    let account = &items[0];
    assert_eq!(account["id"], id);
    assert_eq!(account["extension"], "1001");
    assert_eq!(account["display_name"], "Reception");
    assert_eq!(account["user_id"], admin_id);
    assert_eq!(account["enabled"], true);
    let mut keys: Vec<_> = account.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "created_at",
            "display_name",
            "enabled",
            "extension",
            "id",
            "record",
            "updated_at",
            "user_id"
        ]
    );

    let ha1 = Ha1Set::derive("1001", SIP_REALM, "secret-1001");
    let (_, one) = admin.get(&format!("{ACCOUNTS}/{id}")).await;
    assert_eq!(&one, account);
    let (_, audit) = admin.get("/api/v1/audit?entity=sip_account").await;
    assert_eq!(audit["items"][0]["action"], "create");
    for shown in [list.to_string(), one.to_string(), audit.to_string()] {
        for secret in ["secret-1001", ha1.md5.as_str(), ha1.sha256.as_str()] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
    let stored = credential(&app, "1001").await.expect("the engine sees it");
    assert_eq!(
        stored.ha1, ha1,
        "HA1 of extension, configured realm, password"
    );
    assert!(stored.enabled);
}

async fn a_taken_extension_is_a_conflict_naming_it(app: TestApp) {
    let admin = app.admin().await;
    create(
        &admin,
        json!({"extension": "1001", "password": "secret-1001"}),
    )
    .await;
    let (status, body) = admin
        .post(
            ACCOUNTS,
            json!({"extension": " 1001 ", "password": "other-secret"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["type"], "/problems/conflict");
    assert_eq!(fields(&body), vec!["extension"]);
    let stored = credential(&app, "1001").await.unwrap();
    assert_eq!(
        stored.ha1,
        Ha1Set::derive("1001", SIP_REALM, "secret-1001"),
        "the first account kept its password"
    );
}

async fn bad_extensions_short_passwords_and_unknown_users_are_named(app: TestApp) {
    let admin = app.admin().await;
    let (status, body) = admin
        .post(ACCOUNTS, json!({"extension": "12a", "password": "short"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["type"], "/problems/validation");
    assert_eq!(fields(&body), vec!["extension", "password"]);
    let (status, body) = admin
        .post(
            ACCOUNTS,
            json!({"extension": "123456789", "password": "long-enough"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), vec!["extension"]);
    let (status, body) = admin
        .post(
            ACCOUNTS,
            json!({"extension": "1001", "password": "long-enough", "user_id": 987654}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), vec!["user_id"]);
    let (_, list) = admin.get(ACCOUNTS).await;
    assert!(list["items"].as_array().unwrap().is_empty(), "{list}");
}

async fn agents_are_kept_out_and_supervisors_only_look(app: TestApp) {
    let admin = app.admin().await;
    let id = create(
        &admin,
        json!({"extension": "1001", "password": "secret-1001"}),
    )
    .await;
    let one = format!("{ACCOUNTS}/{id}");
    let password = format!("{one}/password");

    let agent = app.user("agent1", "agent").await;
    assert_eq!(agent.get(ACCOUNTS).await.0, StatusCode::FORBIDDEN);
    assert_eq!(agent.get(&one).await.0, StatusCode::FORBIDDEN);
    let (status, body) = agent
        .post(
            ACCOUNTS,
            json!({"extension": "1002", "password": "secret-1002"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["type"], "/problems/forbidden");
    let steal = json!({"password": "mine-now-1001"});
    assert_eq!(
        agent.put(&password, steal.clone()).await.0,
        StatusCode::FORBIDDEN
    );

    let supervisor = app.user("sup", "supervisor").await;
    assert_eq!(supervisor.get(ACCOUNTS).await.0, StatusCode::OK);
    assert_eq!(supervisor.get(&one).await.0, StatusCode::OK);
    assert_eq!(
        supervisor.put(&password, steal).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, _) = supervisor.patch(&one, json!({"enabled": false})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(supervisor.delete(&one).await.0, StatusCode::FORBIDDEN);

    let stored = credential(&app, "1001").await.unwrap();
    assert_eq!(stored.ha1, Ha1Set::derive("1001", SIP_REALM, "secret-1001"));
    assert!(stored.enabled);
}

async fn a_new_password_replaces_the_ha1_the_engine_loads(app: TestApp) {
    let admin = app.admin().await;
    let id = create(
        &admin,
        json!({"extension": "2001", "password": "first-secret"}),
    )
    .await;
    let before = credential(&app, "2001").await.unwrap();
    let path = format!("{ACCOUNTS}/{id}/password");

    let (status, body) = admin.put(&path, json!({"password": "short"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), vec!["password"]);
    assert_eq!(credential(&app, "2001").await.unwrap(), before);

    let (status, body) = admin.put(&path, json!({"password": "second-secret"})).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let after = credential(&app, "2001").await.unwrap();
    assert_ne!(after.ha1, before.ha1);
    assert_eq!(
        after.ha1,
        Ha1Set::derive("2001", SIP_REALM, "second-secret")
    );

    let (_, audit) = admin
        .get(&format!("/api/v1/audit?entity=sip_account&entity_id={id}"))
        .await;
    let latest = &audit["items"][0];
    assert_eq!(latest["action"], "update");
    assert_eq!(latest["field"], "password");
    assert_eq!(latest["old_value"], Value::Null);
    assert_eq!(latest["new_value"], Value::Null);

    let (status, _) = admin
        .put(
            &format!("{ACCOUNTS}/987654/password"),
            json!({"password": "second-secret"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn patch_changes_name_user_and_state_but_not_extension_or_password(app: TestApp) {
    let admin = app.admin().await;
    let admin_id = admin.me().await["id"].as_i64().unwrap();
    let id = create(
        &admin,
        json!({"extension": "1001", "password": "secret-1001", "user_id": admin_id}),
    )
    .await;
    let one = format!("{ACCOUNTS}/{id}");

    let (status, account) = admin
        .patch(
            &one,
            json!({"display_name": "Front desk", "enabled": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{account}");
    assert_eq!(account["display_name"], "Front desk");
    assert_eq!(account["enabled"], false);
    assert_eq!(account["user_id"], admin_id, "absent fields are kept");
    assert_eq!(
        account["record"], false,
        "calls are not recorded unless asked"
    );
    assert!(!credential(&app, "1001").await.unwrap().enabled);

    let (status, account) = admin.patch(&one, json!({"record": true})).await;
    assert_eq!(status, StatusCode::OK, "{account}");
    assert_eq!(account["record"], true);
    assert!(credential(&app, "1001").await.unwrap().record);

    let (_, account) = admin.patch(&one, json!({"user_id": null})).await;
    assert_eq!(account["user_id"], Value::Null);
    assert_eq!(account["display_name"], "Front desk");

    let (status, body) = admin
        .patch(
            &one,
            json!({"extension": "2000", "password": "new-secret-1"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), vec!["extension", "password"]);
    let (_, account) = admin.get(&one).await;
    assert_eq!(account["extension"], "1001");
    assert_eq!(
        credential(&app, "1001").await.unwrap().ha1,
        Ha1Set::derive("1001", SIP_REALM, "secret-1001")
    );

    let (status, body) = admin.patch(&one, json!({"user_id": 987654})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), vec!["user_id"]);
    let (status, _) = admin
        .patch(&format!("{ACCOUNTS}/987654"), json!({"enabled": true}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn deleting_an_account_frees_its_extension(app: TestApp) {
    let admin = app.admin().await;
    let id = create(
        &admin,
        json!({"extension": "1001", "password": "secret-1001"}),
    )
    .await;
    let one = format!("{ACCOUNTS}/{id}");
    let (status, _) = admin.delete(&one).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(admin.get(&one).await.0, StatusCode::NOT_FOUND);
    assert_eq!(admin.delete(&one).await.0, StatusCode::NOT_FOUND);
    let (_, list) = admin.get(ACCOUNTS).await;
    assert!(list["items"].as_array().unwrap().is_empty());
    assert!(credential(&app, "1001").await.is_none());
    let (_, audit) = admin
        .get(&format!("/api/v1/audit?entity=sip_account&entity_id={id}"))
        .await;
    assert_eq!(audit["items"][0]["action"], "delete");
    assert_eq!(audit["items"][0]["old_value"], "1001");

    create(
        &admin,
        json!({"extension": "1001", "password": "another-secret"}),
    )
    .await;
}

async fn accounts_list_in_dialling_order(app: TestApp) {
    let admin = app.admin().await;
    for extension in ["2000", "99", "1001"] {
        create(
            &admin,
            json!({"extension": extension, "password": "secret-pass"}),
        )
        .await;
    }
    let (_, list) = admin.get(ACCOUNTS).await;
    let order: Vec<_> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["extension"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(order, ["99", "1001", "2000"]);
    let engine: Vec<_> = app
        .repo
        .sip_credentials()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.extension)
        .collect();
    assert_eq!(engine, order);
}

async fn the_openapi_document_describes_sip_accounts(app: TestApp) {
    let (_, doc) = app
        .raw(reqwest::Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    let methods = |path: &str| -> Vec<String> {
        let mut m: Vec<_> = doc["paths"][path]
            .as_object()
            .unwrap_or_else(|| panic!("{path} missing"))
            .keys()
            .cloned()
            .collect();
        m.sort();
        m
    };
    assert_eq!(methods(ACCOUNTS), ["get", "post"]);
    assert_eq!(
        methods("/api/v1/sip/accounts/{id}"),
        ["delete", "get", "patch"]
    );
    assert_eq!(methods("/api/v1/sip/accounts/{id}/password"), ["put"]);
    let schemas = &doc["components"]["schemas"];
    let account = schemas["SipAccount"]["properties"].as_object().unwrap();
    assert!(account.contains_key("extension"));
    assert!(
        account
            .keys()
            .all(|k| !k.contains("ha1") && k != "password")
    );
    let input = schemas["SipAccountInput"]["properties"]
        .as_object()
        .unwrap();
    assert!(input.contains_key("password"));
}

on_both_backends!(
    the_openapi_document_describes_sip_accounts,
    an_account_lists_without_password_or_ha1,
    a_taken_extension_is_a_conflict_naming_it,
    bad_extensions_short_passwords_and_unknown_users_are_named,
    agents_are_kept_out_and_supervisors_only_look,
    a_new_password_replaces_the_ha1_the_engine_loads,
    patch_changes_name_user_and_state_but_not_extension_or_password,
    deleting_an_account_frees_its_extension,
    accounts_list_in_dialling_order,
);
