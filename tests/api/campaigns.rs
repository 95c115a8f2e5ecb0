//! Outbound campaigns as marketers set them up: defaults, every mistake by
//! its field, names unique, agents who exist, and who may see or change them.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, fields, on_both_backends};

async fn marketers_set_up_campaigns_with_every_mistake_named(app: TestApp) {
    let marketer = app.user("mia", "marketer").await;
    let agent = app.user("anna", "agent").await;
    let anna = agent.me().await["id"].as_i64().unwrap();
    let (status, created) = marketer
        .post(
            "/api/v1/campaigns",
            json!({"name": " Spring offer ", "settings": {"mode": "predictive",
                "caller_id": "+49 30 1234567", "time_zone": "Europe/Berlin",
                "agents": [anna, anna], "results": ["sale", "no interest"]}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();
    let (status, campaign) = marketer.get(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(campaign["name"], "Spring offer");
    let settings = &campaign["settings"];
    assert_eq!(settings["mode"], "predictive");
    assert_eq!(settings["caller_id"], "+49301234567");
    assert_eq!(settings["agents"], json!([anna]));
    // What was left out has its default.
    assert_eq!(settings["calling_from"], "08:00");
    assert_eq!(settings["calling_until"], "21:00");
    assert_eq!(settings["abandon_limit_pct"], 3.0);
    assert_eq!(settings["retry_minutes"]["busy"], 10);
    assert_eq!(
        (
            &settings["ring_seconds"],
            &settings["wrap_up_seconds"],
            &settings["detect_machines"]
        ),
        (&json!(25), &json!(15), &json!(false))
    );

    // Every mistake at once, by its field; nothing is stored.
    let (status, problem) = marketer
        .put(
            &format!("/api/v1/campaigns/{id}"),
            json!({"name": "", "settings": {"time_zone": "Mars/Olympus",
                "calling_from": "9 am", "max_attempts": 0, "abandon_limit_pct": 50,
                "ring_seconds": 5, "wrap_up_seconds": 900, "cost_per_minute": "-1",
                "budget": "0", "result_values": {"refund": "5"},
                "results": []}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(
        fields(&problem),
        [
            "name",
            "settings.time_zone",
            "settings.calling_from",
            "settings.max_attempts",
            "settings.abandon_limit_pct",
            "settings.ring_seconds",
            "settings.cost_per_minute",
            "settings.budget",
            "settings.wrap_up_seconds",
            "settings.results",
            "settings.result_values"
        ]
    );
    let (status, problem) = marketer
        .put(
            &format!("/api/v1/campaigns/{id}"),
            json!({"settings": {"colour": "red"}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["settings.colour"]);
    let (status, problem) = marketer
        .put(
            &format!("/api/v1/campaigns/{id}"),
            json!({"settings": {"agents": [999_999]}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["settings.agents"]);
    let (_, unchanged) = marketer.get(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(unchanged["settings"], campaign["settings"]);

    // A change keeps what it leaves out.
    let (status, changed) = marketer
        .put(
            &format!("/api/v1/campaigns/{id}"),
            json!({"settings": {"calling_from": "09:30", "retry_minutes":
                {"busy": 5, "no_answer": null, "failed": 60, "voicemail": null, "abandoned": 1440}}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["settings"]["calling_from"], "09:30");
    assert_eq!(changed["settings"]["mode"], "predictive");
    assert!(changed["settings"]["retry_minutes"]["no_answer"].is_null());

    // Names are unique; a name is needed.
    let (status, problem) = marketer
        .post("/api/v1/campaigns", json!({"name": "Spring offer"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    let (status, problem) = marketer
        .post("/api/v1/campaigns", json!({"settings": {}}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&problem), ["name"]);
    let (status, _) = marketer
        .post("/api/v1/campaigns", json!({"name": "Autumn"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, list) = marketer.get("/api/v1/campaigns").await;
    let names: Vec<_> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].clone())
        .collect();
    assert_eq!(names, ["Autumn", "Spring offer"]);

    // The agents a campaign may be given.
    let (_, agents) = marketer.get("/api/v1/campaign-agents").await;
    let names: Vec<_> = agents["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(names, [anna]);

    // Agents neither see nor change campaigns; managers see them.
    let (status, _) = agent.get("/api/v1/campaigns").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let manager = app.user("max", "manager").await;
    let (status, _) = manager.get("/api/v1/campaigns").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = manager.delete(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = marketer.delete(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = marketer.get(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn leads_come_from_a_segment_or_a_csv_file_and_dnc_lists_are_kept(app: TestApp) {
    let marketer = app.user("mia", "marketer").await;
    let admin = app.admin().await;
    for (name, status, phone) in [
        ("Gold One", "vip", "+12025550101"),
        ("Gold Two", "vip", "+12025550102"),
        ("Plain", "active", "+12025550103"),
    ] {
        admin
            .create_client(json!({"kind": "individual", "name": name, "status": status,
                "phones": [{"number": phone}]}))
            .await;
    }
    admin
        .create_client(json!({"kind": "individual", "name": "No Phone", "status": "vip"}))
        .await;
    let (_, created) = marketer
        .post("/api/v1/campaigns", json!({"name": "VIP winback"}))
        .await;
    let id = created["id"].as_i64().unwrap();

    // The client list's filters choose the segment; a client without a
    // phone is left out, and adding again adds nothing twice.
    let path = format!("/api/v1/campaigns/{id}/leads/segment?status=vip&priority=5");
    let (status, added) = marketer.post(&path, json!(null)).await;
    assert_eq!(status, StatusCode::OK, "{added}");
    assert_eq!(added["added"], 2);
    let (_, again) = marketer.post(&path, json!(null)).await;
    assert_eq!(again["added"], 0);
    let (status, problem) = marketer
        .post(
            &format!("/api/v1/campaigns/{id}/leads/segment?kind=robot"),
            json!(null),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(fields(&problem), ["kind"]);

    // A CSV file: known numbers are tied to their client, bad rows are
    // reported by line, the rest kept.
    let csv = "number,priority\n+1 202 555 0103,1\nnot a phone,1\n(202) 555-0199,x\n2025550198,\n";
    let (status, _, added) = app
        .send_bytes(
            &format!("/api/v1/campaigns/{id}/leads"),
            &marketer.token,
            "text/csv",
            csv,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{added}");
    assert_eq!(added["added"], 2, "{added}");
    let lines: Vec<_> = added["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, [3, 4]);
    let (status, _, problem) = app
        .send_bytes(
            &format!("/api/v1/campaigns/{id}/leads"),
            &marketer.token,
            "text/csv",
            "phone\n123\n",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");

    let (_, leads) = marketer.get(&format!("/api/v1/campaigns/{id}/leads")).await;
    let listed: Vec<_> = leads["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["number"].clone(),
                l["client_name"].clone(),
                l["priority"].clone(),
                l["state"].clone(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (
                json!("+12025550101"),
                json!("Gold One"),
                json!(5),
                json!("waiting")
            ),
            (
                json!("+12025550102"),
                json!("Gold Two"),
                json!(5),
                json!("waiting")
            ),
            (
                json!("+12025550103"),
                json!("Plain"),
                json!(1),
                json!("waiting")
            ),
            (
                json!("+12025550198"),
                json!(null),
                json!(0),
                json!("waiting")
            ),
        ]
    );

    // Do-not-call: the global list and the campaign's, each number once.
    let (status, global) = marketer
        .post(
            "/api/v1/dnc",
            json!({"number": "(202) 555-0102", "reason": "asked on 2026-11-20"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{global}");
    assert_eq!(global["number"], "+12025550102");
    let (status, _) = marketer
        .post("/api/v1/dnc", json!({"number": "+12025550102"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, problem) = marketer
        .post("/api/v1/dnc", json!({"number": "nope"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&problem), ["number"]);
    let (status, _) = marketer
        .post(
            &format!("/api/v1/campaigns/{id}/dnc"),
            json!({"number": "+12025550101"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // The same number may be on both lists.
    let (status, _) = marketer
        .post(
            &format!("/api/v1/campaigns/{id}/dnc"),
            json!({"number": "+12025550102"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(
        app.repo.is_dnc(id, "+12025550101").await.unwrap(),
        "the campaign's"
    );
    assert!(
        app.repo.is_dnc(id, "+12025550102").await.unwrap(),
        "the global list"
    );
    assert!(!app.repo.is_dnc(id, "+12025550103").await.unwrap());
    let (_, other) = marketer
        .post("/api/v1/campaigns", json!({"name": "Other"}))
        .await;
    let other = other["id"].as_i64().unwrap();
    assert!(
        !app.repo.is_dnc(other, "+12025550101").await.unwrap(),
        "another campaign may call it"
    );
    let (_, list) = marketer.get("/api/v1/dnc").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let (status, _) = marketer
        .delete(&format!("/api/v1/dnc/{}", global["id"]))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, list) = marketer.get(&format!("/api/v1/campaigns/{id}/dnc")).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let agent = app.user("anna", "agent").await;
    let (status, _) = agent
        .post("/api/v1/dnc", json!({"number": "+12025550103"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// A call from `extension` out to `number` that got busy.
fn outbound_call(extension: &str, number: &str) -> switchboard::crm::calls::CallRecord {
    use switchboard::crm::calls::{CallRecord, Direction, Outcome, Party};
    let arrived_at = switchboard::runtime::clock::now();
    CallRecord {
        call_id: format!("out-{number}"),
        direction: Direction::Outbound,
        trunk: Some("demo-pbx".into()),
        caller: extension.into(),
        caller_e164: None,
        caller_name: None,
        called: number.into(),
        original_called: None,
        answered_by: None,
        dialplan_rule: Some("outbound-e164".into()),
        party_e164: Some(number.into()),
        queue: None,
        arrived_at,
        queued_at: None,
        offered_at: None,
        answered_at: None,
        ended_at: arrived_at + chrono::Duration::seconds(3),
        outcome: Outcome::Busy,
        hangup_by: Some(Party::Callee),
        sip_code: Some(486),
        legs: vec![],
        recording: None,
    }
}

/// A calling window of two hours around New York's time now: Tokyo is
/// outside it.
pub(crate) fn window_around_new_york() -> (String, String) {
    use chrono::Timelike;
    let hour = switchboard::runtime::clock::now()
        .with_timezone(&chrono_tz::America::New_York)
        .hour();
    match hour {
        0 => ("00:00".into(), "02:00".into()),
        23 => ("22:00".into(), "23:59".into()),
        h => (format!("{:02}:00", h - 1), format!("{:02}:00", h + 1)),
    }
}

async fn an_agent_previews_leads_in_order_within_the_window_and_records_outcomes(app: TestApp) {
    let marketer = app.user("mia", "marketer").await;
    let agent = app.user("anna", "agent").await;
    let anna = agent.me().await["id"].as_i64().unwrap();
    let stranger = app.user("ben", "agent").await;
    let admin = app.admin().await;
    let ann = admin
        .create_client(
            json!({"kind": "individual", "name": "Ann Lead", "responsible_id": anna,
            "phones": [{"number": "+1 212 555 0101"}]}),
        )
        .await;
    let (from, until) = window_around_new_york();
    let (status, created) = marketer
        .post(
            "/api/v1/campaigns",
            json!({"name": "Preview", "settings": {"mode": "preview", "agents": [anna],
                "results": ["sale", "no interest"], "calling_from": from, "calling_until": until,
                "time_zone": "America/New_York"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();
    let csv = "number,priority\n+1 212 555 0101,1\n+1 212 555 0102,5\n+81 3 1234 5678,9\n+1 212 555 0104,8\n+1 212 555 0105,0\n";
    let (status, _, added) = app
        .send_bytes(
            &format!("/api/v1/campaigns/{id}/leads"),
            &marketer.token,
            "text/csv",
            csv,
        )
        .await;
    assert_eq!((status, added["added"].clone()), (StatusCode::OK, json!(5)));
    marketer
        .post(
            &format!("/api/v1/campaigns/{id}/dnc"),
            json!({"number": "+12125550104"}),
        )
        .await;
    let (_, mine) = agent.get("/api/v1/agent/campaigns").await;
    assert_eq!(mine["items"][0]["name"], "Preview");
    let (_, theirs) = stranger.get("/api/v1/agent/campaigns").await;
    assert_eq!(theirs["items"], json!([]));
    let next = format!("/api/v1/campaigns/{id}/next");
    let outcome = |lead: i64| format!("/api/v1/campaigns/{id}/leads/{lead}/outcome");

    // Tokyo (priority 9) is outside the window, 0104 (8) on the list: the
    // first lead is 0102 (5).
    let (status, first) = agent.post(&next, json!(null)).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["lead"]["number"], "+12125550102");
    assert_eq!(first["lead"]["state"], "dialling");
    assert_eq!(first["lead"]["attempts"], 1);
    assert!(first["card"].is_null(), "a number the CRM does not know");
    assert_eq!(first["results"], json!(["sale", "no interest"]));
    let (status, _) = stranger.post(&next, json!(null)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not one of its agents");
    let b = first["lead"]["id"].as_i64().unwrap();
    // Anna calls it from her phone (extension 101) and hears busy: the lead
    // knows before she says.
    let (status, account) = admin
        .post(
            "/api/v1/sip/accounts",
            json!({"extension": "101", "password": "secret-pass", "user_id": anna}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{account}");
    app.repo
        .record_call(&outbound_call("101", "+12125550102"))
        .await
        .unwrap();
    let (_, listed) = marketer.get(&format!("/api/v1/campaigns/{id}/leads")).await;
    let b_listed = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == b)
        .unwrap()
        .clone();
    assert_eq!(b_listed["last_outcome"], "busy", "{b_listed}");
    assert_eq!(b_listed["state"], "dialling");
    let (status, busy) = agent.post(&outcome(b), json!({"outcome": "busy"})).await;
    assert_eq!(status, StatusCode::OK, "{busy}");
    assert_eq!(
        (busy["state"].clone(), busy["last_outcome"].clone()),
        (json!("waiting"), json!("busy"))
    );

    // Next: Ann's number, with her card.
    let (_, second) = agent.post(&next, json!(null)).await;
    assert_eq!(second["lead"]["number"], "+12125550101");
    assert_eq!(second["card"]["client"]["name"], "Ann Lead", "{second}");
    let a = second["lead"]["id"].as_i64().unwrap();
    let (status, problem) = agent
        .post(&outcome(a), json!({"outcome": "answered"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&problem), ["result"]);
    let (status, problem) = agent
        .post(&outcome(a), json!({"outcome": "hung", "result": "maybe"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&problem), ["outcome", "result"]);
    let (status, _) = stranger
        .post(
            &outcome(a),
            json!({"outcome": "answered", "result": "sale"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, sold) = agent
        .post(
            &outcome(a),
            json!({"outcome": "answered", "result": "sale", "notes": "yearly plan"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{sold}");
    assert_eq!(
        (sold["state"].clone(), sold["closed_as"].clone()),
        (json!("closed"), json!("answered"))
    );
    assert_eq!(sold["result"], "sale");
    // She said it while still talking: her call, stored as it ends, takes
    // the result and notes to Ann's contact history.
    let talked = switchboard::crm::calls::CallRecord {
        call_id: "out-ann".into(),
        answered_at: Some(switchboard::runtime::clock::now()),
        outcome: switchboard::crm::calls::Outcome::Answered,
        sip_code: Some(200),
        ..outbound_call("101", "+12125550101")
    };
    app.repo.record_call(&talked).await.unwrap();
    let (_, history) = agent
        .get(&format!("/api/v1/clients/{ann}/interactions"))
        .await;
    let contact = &history["items"][0];
    assert_eq!(
        (&contact["direction"], &contact["result"], &contact["notes"]),
        (&json!("out"), &json!("sale"), &json!("yearly plan")),
        "{history}"
    );
    let (_, calls) = agent.get("/api/v1/calls?number=12125550101").await;
    assert_eq!(calls["items"][0]["wrap_up"]["result"], "sale", "{calls}");

    // The last one is skipped: back later, the attempt not counted.
    let (_, third) = agent.post(&next, json!(null)).await;
    assert_eq!(third["lead"]["number"], "+12125550105");
    let e = third["lead"]["id"].as_i64().unwrap();
    let (_, skipped) = agent.post(&outcome(e), json!({"outcome": "skipped"})).await;
    assert_eq!(
        (skipped["state"].clone(), skipped["attempts"].clone()),
        (json!("waiting"), json!(0))
    );
    let (status, _) = agent.post(&outcome(e), json!({"outcome": "busy"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no longer being called");

    // Nothing more may be called now.
    let (status, _) = agent.post(&next, json!(null)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, leads) = marketer.get(&format!("/api/v1/campaigns/{id}/leads")).await;
    let states: Vec<_> = leads["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["number"].as_str().unwrap().to_string(),
                l["state"].clone(),
                l["closed_as"].clone(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            (
                "+12125550101".to_string(),
                json!("closed"),
                json!("answered")
            ),
            ("+12125550102".to_string(), json!("waiting"), json!(null)),
            ("+81312345678".to_string(), json!("waiting"), json!(null)),
            ("+12125550104".to_string(), json!("closed"), json!("dnc")),
            ("+12125550105".to_string(), json!("waiting"), json!(null)),
        ]
    );

    // The console's figures and the export.
    let (status, stats) = marketer.get(&format!("/api/v1/campaigns/{id}/stats")).await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    assert_eq!(
        (
            stats["leads"].clone(),
            stats["waiting"].clone(),
            stats["closed"].clone(),
            stats["attempts"].clone()
        ),
        (json!(5), json!(3), json!(2), json!(2)),
        "{stats}"
    );
    assert_eq!(
        stats["last_outcomes"],
        json!({"answered": 1, "busy": 1, "skipped": 1})
    );
    assert_eq!(stats["results"], json!({"sale": 1}));
    assert_eq!(stats["closed_as"], json!({"answered": 1, "dnc": 1}));
    let (status, headers, csv) = marketer
        .get_bytes(&format!("/api/v1/campaigns/{id}/export"), &[])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = String::from_utf8(csv).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 6, "{csv}");
    assert!(lines[0].starts_with("number,client_id,client,"), "{csv}");
    assert!(
        lines[1].starts_with("+12125550101,")
            && lines[1].contains(",Ann Lead,")
            && lines[1].contains(",sale,yearly plan,"),
        "{csv}"
    );
    let (status, _) = agent.get(&format!("/api/v1/campaigns/{id}/stats")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn a_callback_an_agent_promised_is_theirs_unless_it_is_for_anyone(app: TestApp) {
    let marketer = app.user("mia", "marketer").await;
    let anna = app.user("anna", "agent").await;
    let ben = app.user("ben", "agent").await;
    let anna_id = anna.me().await["id"].as_i64().unwrap();
    let ben_id = ben.me().await["id"].as_i64().unwrap();
    let (from, until) = window_around_new_york();
    let (_, created) = marketer
        .post(
            "/api/v1/campaigns",
            json!({"name": "Callbacks", "settings": {"agents": [anna_id, ben_id],
                "results": ["sale", "call back"], "calling_from": from, "calling_until": until}}),
        )
        .await;
    let id = created["id"].as_i64().unwrap();
    app.send_bytes(
        &format!("/api/v1/campaigns/{id}/leads"),
        &marketer.token,
        "text/csv",
        "number\n+1 212 555 0111\n",
    )
    .await;
    let next = format!("/api/v1/campaigns/{id}/next");
    let (_, given) = anna.post(&next, json!(null)).await;
    let lead = given["lead"]["id"].as_i64().unwrap();
    let outcome = format!("/api/v1/campaigns/{id}/leads/{lead}/outcome");
    let soon = |ms: i64| {
        (switchboard::runtime::clock::now() + chrono::Duration::milliseconds(ms)).to_rfc3339()
    };
    let (status, problem) = anna
        .post(
            &outcome,
            json!({"outcome": "answered", "result": "call back",
            "callback_at": soon(1500), "callback_for": "my cousin"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&problem), ["callback_for"]);
    let (status, promised) = anna
        .post(
            &outcome,
            json!({"outcome": "answered", "result": "call back", "callback_at": soon(1500)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{promised}");
    assert_eq!(promised["state"], "waiting", "called back, not closed");
    assert_eq!(promised["callback_agent_id"], anna_id);
    tokio::time::sleep(std::time::Duration::from_millis(1700)).await;
    // Due now, and Anna's alone.
    let (status, _) = ben.post(&next, json!(null)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, again) = anna.post(&next, json!(null)).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(
        (
            again["lead"]["id"].as_i64(),
            again["lead"]["attempts"].clone()
        ),
        (Some(lead), json!(2))
    );
    // This time anyone may call back.
    let (_, open) = anna
        .post(
            &outcome,
            json!({"outcome": "busy", "callback_at": soon(1000), "callback_for": "anyone"}),
        )
        .await;
    assert!(open["callback_agent_id"].is_null(), "{open}");
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let (status, bens) = ben.post(&next, json!(null)).await;
    assert_eq!(status, StatusCode::OK, "{bens}");
    assert_eq!(bens["lead"]["id"].as_i64(), Some(lead));
}

async fn the_agent_follows_the_script_and_the_survey_answers_land_on_the_client(app: TestApp) {
    let marketer = app.user("mia", "marketer").await;
    let agent = app.user("anna", "agent").await;
    let anna = agent.me().await["id"].as_i64().unwrap();
    let admin = app.admin().await;
    let client = admin
        .create_client(
            json!({"kind": "individual", "name": "Surveyed", "responsible_id": anna,
            "phones": [{"number": "+1 212 555 0121"}]}),
        )
        .await;
    let (from, until) = window_around_new_york();
    let script = json!([
        {"id": "hello", "text": "Hello, this is Switchboard. Do you have a minute?",
         "choices": [{"label": "Yes", "next": "offer"}, {"label": "No", "next": null}]},
        {"id": "offer", "text": "Our yearly plan saves 20%.", "choices": []}
    ]);
    let survey = json!([
        {"key": "satisfied", "text": "Are you satisfied with us?", "kind": "yes_no", "required": true},
        {"key": "plan", "text": "Which plan?", "kind": "choice", "options": ["monthly", "yearly"]},
        {"key": "seats", "text": "How many seats?", "kind": "number"}
    ]);
    // A script leading nowhere and a survey with a bad key are refused.
    let (status, problem) = marketer
        .post(
            "/api/v1/campaigns",
            json!({"name": "Broken", "settings": {
                "script": [{"id": "a", "text": "Hi", "choices": [{"label": "x", "next": "b"}]}],
                "survey": [{"key": "bad key", "text": "?", "kind": "choice"}]}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields(&problem),
        [
            "settings.script[0].choices[0].next",
            "settings.survey[0].key",
            "settings.survey[0].options"
        ]
    );
    let (status, created) = marketer
        .post(
            "/api/v1/campaigns",
            json!({"name": "Survey", "settings": {"agents": [anna], "results": ["done"],
                "calling_from": from, "calling_until": until, "script": script, "survey": survey}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();
    app.send_bytes(
        &format!("/api/v1/campaigns/{id}/leads"),
        &marketer.token,
        "text/csv",
        "number\n+1 212 555 0121\n",
    )
    .await;
    let (_, given) = agent
        .post(&format!("/api/v1/campaigns/{id}/next"), json!(null))
        .await;
    assert_eq!(given["script"], script);
    assert_eq!(given["survey"][0]["key"], "satisfied");
    let lead = given["lead"]["id"].as_i64().unwrap();
    let outcome = format!("/api/v1/campaigns/{id}/leads/{lead}/outcome");
    let (status, problem) = agent
        .post(
            &outcome,
            json!({"outcome": "answered", "result": "done",
            "survey": {"plan": "weekly", "seats": "many", "colour": "red"}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut named = fields(&problem);
    named.sort();
    assert_eq!(
        named,
        [
            "survey.colour",
            "survey.plan",
            "survey.satisfied",
            "survey.seats"
        ]
    );
    let (status, done) = agent
        .post(
            &outcome,
            json!({"outcome": "answered", "result": "done",
            "survey": {"satisfied": true, "plan": "yearly", "seats": 12}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let (status, answers) = agent
        .get(&format!("/api/v1/clients/{client}/survey-answers"))
        .await;
    assert_eq!(status, StatusCode::OK, "{answers}");
    let mut kept: Vec<_> = answers["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["question"].as_str().unwrap().to_string(),
                a["answer"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    kept.sort();
    assert_eq!(
        kept,
        [
            ("plan".to_string(), "yearly".to_string()),
            ("satisfied".to_string(), "yes".to_string()),
            ("seats".to_string(), "12".to_string())
        ]
    );
    assert_eq!(answers["items"][0]["campaign"], "Survey");
    // Another agent who may not see the client sees none of it.
    let other = app.user("ben", "agent").await;
    let (status, _) = other
        .get(&format!("/api/v1/clients/{client}/survey-answers"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// A mobile number of a country of many zones does not tell its zone: the
/// client's address does, and the calling window is kept there.
async fn a_lead_whose_number_has_no_zone_is_called_in_the_time_of_its_clients_address(
    app: TestApp,
) {
    let marketer = app.user("mia", "marketer").await;
    let agent = app.user("anna", "agent").await;
    let anna = agent.me().await["id"].as_i64().unwrap();
    let admin = app.admin().await;
    // Vladivostok is 14 to 16 hours ahead of New York: outside a window
    // around New York's time now.
    admin
        .create_client(json!({"kind": "individual", "name": "Far East",
            "phones": [{"number": "+7 914 123 45 67"}],
            "addresses": [{"kind": "postal", "text": "12 Svetlanskaya St, Vladivostok"}]}))
        .await;
    admin
        .create_client(json!({"kind": "individual", "name": "Nowhere Said",
            "phones": [{"number": "+7 916 123 45 67"}]}))
        .await;
    let (from, until) = window_around_new_york();
    let (status, created) = marketer
        .post(
            "/api/v1/campaigns",
            json!({"name": "Zones", "settings": {"mode": "preview", "agents": [anna],
                "calling_from": from, "calling_until": until, "time_zone": "America/New_York"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();
    let (status, _, added) = app
        .send_bytes(
            &format!("/api/v1/campaigns/{id}/leads"),
            &marketer.token,
            "text/csv",
            "number,priority\n+7 914 123 45 67,9\n+7 916 123 45 67,1\n",
        )
        .await;
    assert_eq!((status, added["added"].clone()), (StatusCode::OK, json!(2)));
    // The Vladivostok client ranks first but waits for morning there; the
    // other falls back to the campaign's zone, where the window is open.
    let (status, next) = agent
        .post(&format!("/api/v1/campaigns/{id}/next"), json!(null))
        .await;
    assert_eq!(status, StatusCode::OK, "{next}");
    assert_eq!(next["lead"]["number"], "+79161234567", "{next}");
    let (_, leads) = marketer.get(&format!("/api/v1/campaigns/{id}/leads")).await;
    let far = (leads["items"].as_array().unwrap().iter())
        .find(|l| l["number"] == "+79141234567")
        .unwrap();
    assert_eq!(far["state"], "waiting", "{far}");
    let opens = chrono::DateTime::parse_from_rfc3339(far["next_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono_tz::Asia::Vladivostok);
    use chrono::Timelike;
    assert_eq!(
        (opens.hour(), opens.minute()),
        (from[..2].parse().unwrap(), from[3..].parse().unwrap()),
        "due when the window opens in Vladivostok: {far}"
    );
}

on_both_backends!(
    a_lead_whose_number_has_no_zone_is_called_in_the_time_of_its_clients_address,
    the_agent_follows_the_script_and_the_survey_answers_land_on_the_client,
    a_callback_an_agent_promised_is_theirs_unless_it_is_for_anyone,
    marketers_set_up_campaigns_with_every_mistake_named,
    leads_come_from_a_segment_or_a_csv_file_and_dnc_lists_are_kept,
    an_agent_previews_leads_in_order_within_the_window_and_records_outcomes
);
