//! Every call is a contact: a stored call becomes an interaction on the
//! client its outside number belongs to (or waits, as an unknown caller's,
//! until a client gets the number), a call nobody took becomes a callback
//! task, and the agent's wrap-up lands on the record, the interaction and
//! a follow-up task.

use reqwest::StatusCode;
use serde_json::{Value, json};
use switchboard::crm::calls::{CallRecord, Direction, LegRecord, Outcome, Party};

use crate::helpers::{Session, TestApp, fields, on_both_backends};

const NUMBER: &str = "+12025550143";

/// An inbound call from NUMBER that queue `sales` offered to extension 101.
fn queue_call(call_id: &str, minute: u32, answered: bool) -> CallRecord {
    let arrived_at: chrono::DateTime<chrono::Utc> =
        format!("2026-03-01T10:{minute:02}:00Z").parse().unwrap();
    let second = |s: i64| arrived_at + chrono::Duration::seconds(s);
    CallRecord {
        call_id: call_id.into(),
        direction: Direction::Inbound,
        trunk: Some("avaya-main".into()),
        caller: NUMBER.into(),
        caller_e164: Some(NUMBER.into()),
        caller_name: None,
        called: "8005550100".into(),
        original_called: None,
        answered_by: answered.then(|| "101".into()),
        dialplan_rule: Some("sales-line".into()),
        party_e164: Some(NUMBER.into()),
        queue: Some("sales".into()),
        arrived_at,
        queued_at: Some(second(2)),
        offered_at: Some(second(5)),
        answered_at: answered.then(|| second(9)),
        ended_at: second(if answered { 69 } else { 30 }),
        outcome: if answered {
            Outcome::Answered
        } else {
            Outcome::Cancelled
        },
        hangup_by: Some(Party::Caller),
        sip_code: None,
        legs: vec![LegRecord {
            extension_or_number: "101".into(),
            contact: Some("sip:101@192.0.2.10:5060".into()),
            answered,
            sip_code: (!answered).then_some(487),
        }],
        recording: None,
    }
}

/// An agent who owns extension 101, and their user id.
async fn agent_on_101(app: &TestApp) -> (Session<'_>, i64) {
    let agent = app.user("agent1", "agent").await;
    let id = agent.me().await["id"].as_i64().unwrap();
    let (status, body) = app
        .admin()
        .await
        .post(
            "/api/v1/sip/accounts",
            json!({"extension": "101", "password": "long enough", "user_id": id}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (agent, id)
}

async fn the_call(session: &Session<'_>, call_id: &str) -> Value {
    let (status, page) = session
        .get(&format!("/api/v1/calls?call_id={call_id}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["items"].as_array().unwrap().len(), 1, "{page}");
    page["items"][0].clone()
}

async fn history(session: &Session<'_>, client: i64) -> Vec<Value> {
    let (status, page) = session
        .get(&format!("/api/v1/clients/{client}/interactions"))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().unwrap().clone()
}

async fn open_tasks(session: &Session<'_>) -> Vec<Value> {
    let (status, page) = session.get("/api/v1/tasks?state=open").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().unwrap().clone()
}

async fn a_known_callers_call_lands_in_their_history(app: TestApp) {
    let (_agent, agent_id) = agent_on_101(&app).await;
    let admin = app.admin().await;
    let client = admin
        .create_client(
            json!({"kind": "individual", "name": "Olga Petrova", "status": "VIP",
            "phones": [{"number": "(202) 555-0143"}]}),
        )
        .await;
    // What a queue ranking callers by status reads.
    assert_eq!(
        app.repo.status_of_number(NUMBER).await.unwrap().as_deref(),
        Some("VIP")
    );
    assert_eq!(
        app.repo.status_of_number("+12025550000").await.unwrap(),
        None
    );
    app.repo
        .record_call(&queue_call("known", 1, true))
        .await
        .unwrap();

    let call = the_call(&admin, "known").await;
    assert_eq!(call["client"]["id"], client);
    assert_eq!(call["client"]["name"], "Olga Petrova");
    assert_eq!(call["agent"]["id"], agent_id);
    assert_eq!(call["queue"], "sales");
    assert_eq!(call["queued_at"], "2026-03-01T10:01:02Z");
    assert_eq!(call["offered_at"], "2026-03-01T10:01:05Z");

    let contacts = history(&admin, client).await;
    assert_eq!(contacts.len(), 1, "{contacts:?}");
    let contact = &contacts[0];
    assert_eq!(contact["channel"], "call");
    assert_eq!(contact["direction"], "in");
    assert_eq!(contact["state"], "done");
    assert_eq!(contact["status"], "held");
    assert_eq!(contact["duration_s"], 60);
    assert_eq!(contact["responsible_id"], agent_id);
    assert_eq!(contact["started_at"], "2026-03-01T10:01:00Z");
    let brief = &contact["call"];
    assert_eq!(brief["call_id"], "known");
    assert_eq!(brief["queue"], "sales");
    assert_eq!(brief["called"], "8005550100", "the DID");
    assert_eq!(brief["trunk"], "avaya-main");
    assert_eq!(brief["answered_by"], "101");
    assert_eq!(brief["hangup_by"], "caller");
    assert_eq!(
        (brief["wait_s"].as_i64(), brief["talk_s"].as_i64()),
        (Some(9), Some(60))
    );
    assert!(
        open_tasks(&admin).await.is_empty(),
        "an answered call needs no callback"
    );

    // The same record again (a retried write) files nothing twice.
    app.repo
        .record_call(&queue_call("known", 1, true))
        .await
        .unwrap();
    assert_eq!(history(&admin, client).await.len(), 1);
}

async fn an_unknown_callers_calls_join_the_client_made_for_them(app: TestApp) {
    let (agent, agent_id) = agent_on_101(&app).await;
    let supervisor = app.user("super1", "supervisor").await;
    let supervisor_id = supervisor.me().await["id"].as_i64().unwrap();
    let admin = app.admin().await;
    // Abandoned in the queue before any phone rang: the supervisor's
    // callback. The caller tries again and the agent misses it: still one
    // callback to make.
    let mut abandoned = queue_call("abandoned", 1, false);
    abandoned.legs.clear();
    abandoned.offered_at = None;
    app.repo.record_call(&abandoned).await.unwrap();
    app.repo
        .record_call(&queue_call("missed", 2, false))
        .await
        .unwrap();
    assert!(the_call(&admin, "abandoned").await["client"].is_null());
    let tasks = open_tasks(&admin).await;
    assert_eq!(tasks.len(), 1, "one callback per number: {tasks:?}");
    assert_eq!(
        tasks[0]["title"],
        format!("Call back {NUMBER}: abandoned in queue sales")
    );
    assert_eq!(tasks[0]["responsible_id"], supervisor_id);
    assert!(tasks[0]["client_id"].is_null());

    // The agent creates the client with the number (as from the screen
    // pop's draft): the calls become theirs, and the callback too.
    let client = agent
        .create_client(json!({"kind": "individual", "name": "New Caller",
            "phones": [{"number": "202 555 0143"}]}))
        .await;
    let tasks = open_tasks(&admin).await;
    assert_eq!(
        tasks[0]["client_id"], client,
        "the callback is on the client now"
    );
    // The caller tries again and the agent answers: reached, the callback
    // is done.
    app.repo
        .record_call(&queue_call("answered", 3, true))
        .await
        .unwrap();
    assert!(
        open_tasks(&admin).await.is_empty(),
        "the caller was reached"
    );
    let (_, done) = admin.get("/api/v1/tasks?state=done").await;
    assert_eq!(done["items"][0]["id"], tasks[0]["id"], "{done}");
    let contacts = history(&admin, client).await;
    let calls: Vec<_> = contacts
        .iter()
        .map(|c| c["call"]["call_id"].clone())
        .collect();
    assert_eq!(calls, ["answered", "missed", "abandoned"], "newest first");
    let states: Vec<_> = contacts.iter().map(|c| c["state"].clone()).collect();
    assert_eq!(states, ["done", "not_done", "not_done"]);
    assert_eq!(
        contacts[0]["responsible_id"], agent_id,
        "the agent who answered"
    );
    assert_eq!(contacts[1]["responsible_id"], agent_id, "the agent it rang");
    assert_eq!(the_call(&admin, "missed").await["client"]["id"], client);

    // A second client with the same number takes nothing away.
    let other = admin
        .create_client(json!({"kind": "individual", "name": "Namesake",
            "phones": [{"number": NUMBER}]}))
        .await;
    assert!(history(&admin, other).await.is_empty());
    assert_eq!(history(&admin, client).await.len(), 3);
}

async fn internal_and_anonymous_calls_make_no_contact(app: TestApp) {
    app.user("super1", "supervisor").await;
    let admin = app.admin().await;
    let mut internal = queue_call("internal", 1, false);
    internal.direction = Direction::Internal;
    internal.caller = "102".into();
    internal.party_e164 = None;
    let mut anonymous = queue_call("anonymous", 2, false);
    anonymous.caller = "anonymous".into();
    anonymous.caller_e164 = None;
    anonymous.party_e164 = None;
    let mut refused = queue_call("refused", 3, false);
    refused.outcome = Outcome::Rejected;
    for record in [internal, anonymous, refused] {
        app.repo.record_call(&record).await.unwrap();
    }
    assert!(
        open_tasks(&admin).await.is_empty(),
        "no one to call back, or a call we refused"
    );
}

async fn the_agent_wraps_up_their_call(app: TestApp) {
    let (agent, agent_id) = agent_on_101(&app).await;
    let admin = app.admin().await;
    let client = admin
        .create_client(json!({"kind": "individual", "name": "Olga Petrova",
            "phones": [{"number": NUMBER}]}))
        .await;
    app.repo
        .record_call(&queue_call("talked", 1, true))
        .await
        .unwrap();
    let id = the_call(&agent, "talked").await["id"].as_i64().unwrap();
    let path = format!("/api/v1/calls/{id}/wrap-up");

    let (status, problem) = agent
        .put(
            &path,
            json!({"result": " ", "notes": "x".repeat(20_000),
                "follow_up": {"title": "Send the offer", "due_at": "tomorrow"}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["result", "notes", "follow_up.due_at"]);

    let (status, call) = agent
        .put(
            &path,
            json!({"result": "sale", "notes": "Wants the yearly plan",
                "follow_up": {"title": "Send the offer", "due_at": "2026-03-02T09:00:00Z"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{call}");
    assert_eq!(call["wrap_up"]["result"], "sale");
    assert_eq!(call["wrap_up"]["notes"], "Wants the yearly plan");
    assert_eq!(call["wrap_up"]["by"]["id"], agent_id);

    let contact = &history(&admin, client).await[0];
    assert_eq!(contact["result"], "sale");
    assert_eq!(contact["notes"], "Wants the yearly plan");
    let (_, tasks) = agent.get("/api/v1/tasks?responsible=me").await;
    let task = &tasks["items"][0];
    assert_eq!(task["title"], "Send the offer");
    assert_eq!(task["client_id"], client);
    assert_eq!(task["due_at"], "2026-03-02T09:00:00Z");

    // Another agent does not reach the call; a supervisor may correct it.
    let other = app.user("agent2", "agent").await;
    let (status, _) = other.put(&path, json!({"result": "sale"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let supervisor = app.user("super1", "supervisor").await;
    let (status, call) = supervisor
        .put(&path, json!({"result": "information"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{call}");
    assert_eq!(history(&admin, client).await[0]["result"], "information");
}

on_both_backends!(
    a_known_callers_call_lands_in_their_history,
    an_unknown_callers_calls_join_the_client_made_for_them,
    internal_and_anonymous_calls_make_no_contact,
    the_agent_wraps_up_their_call,
    reports_count_the_stored_calls_per_interval,
);

async fn reports_count_the_stored_calls_per_interval(app: TestApp) {
    let (agent, agent_id) = agent_on_101(&app).await;
    // 10:01 answered after 7 s in the queue; 10:02 abandoned after 28 s;
    // 10:20 answered after 25 s (late for a 20 s service level); 11:05
    // answered in another hour; and one from the support queue.
    let mut late = queue_call("late", 20, true);
    late.answered_at = Some(late.arrived_at + chrono::Duration::seconds(27));
    late.ended_at = late.arrived_at + chrono::Duration::seconds(87);
    let mut next_hour = queue_call("next-hour", 5, true);
    next_hour.arrived_at = "2026-03-01T11:05:00Z".parse().unwrap();
    next_hour.queued_at = Some(next_hour.arrived_at);
    next_hour.answered_at = Some(next_hour.arrived_at + chrono::Duration::seconds(3));
    next_hour.ended_at = next_hour.arrived_at + chrono::Duration::seconds(33);
    let mut support = queue_call("support", 30, false);
    support.queue = Some("support".into());
    for record in [
        queue_call("quick", 1, true),
        queue_call("gone", 2, false),
        late,
        next_hour,
        support,
    ] {
        app.repo.record_call(&record).await.unwrap();
    }
    let id = the_call(&agent, "quick").await["id"].as_i64().unwrap();
    let (status, _) = agent
        .put(
            &format!("/api/v1/calls/{id}/wrap-up"),
            json!({"result": "sale"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let supervisor = app.user("super1", "supervisor").await;
    let (status, report) = supervisor
        .get("/api/v1/reports/queues?from=2026-03-01T10:00:00Z&to=2026-03-01T12:00:00Z&interval=hour")
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let rows: Vec<_> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["start"].as_str().unwrap().to_string(),
                r["queue"].as_str().unwrap().to_string(),
                r["calls"].as_i64().unwrap(),
                r["answered"].as_i64().unwrap(),
                r["abandoned"].as_i64().unwrap(),
            )
        })
        .collect();
    let hour = |h: &str, q: &str, calls, answered, abandoned| {
        (
            format!("2026-03-01T{h}:00:00Z"),
            q.to_string(),
            calls,
            answered,
            abandoned,
        )
    };
    assert_eq!(
        rows,
        [
            hour("10", "sales", 3, 2, 1),
            hour("10", "support", 1, 0, 1),
            hour("11", "sales", 1, 1, 0),
        ]
    );
    let sales = &report["rows"][0];
    assert_eq!(sales["average_answer_s"], 16.0, "(7 + 25) / 2 in the queue");
    assert_eq!(sales["max_wait_s"], 28);
    assert_eq!(
        sales["service_level_pct"].as_f64().unwrap().round(),
        33.0,
        "1 of 3 in time"
    );
    assert_eq!(sales["talk_s"], 120);

    let (_, by_quarter) = supervisor
        .get("/api/v1/reports/queues?from=2026-03-01T10:00:00Z&to=2026-03-01T11:00:00Z&interval=15m&service_level=30")
        .await;
    let starts: Vec<_> = by_quarter["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["start"].as_str().unwrap(),
                r["queue"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        starts,
        [
            "2026-03-01T10:00:00Z sales",
            "2026-03-01T10:15:00Z sales",
            "2026-03-01T10:30:00Z support"
        ]
    );
    assert_eq!(
        by_quarter["rows"][1]["service_level_pct"], 100.0,
        "25 s is in time for 30 s"
    );

    let (status, agents) = supervisor
        .get(
            "/api/v1/reports/agents?from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z&interval=day",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{agents}");
    let row = &agents["rows"][0];
    assert_eq!(agents["rows"].as_array().unwrap().len(), 1, "{agents}");
    assert_eq!(row["agent_id"], agent_id);
    assert_eq!(row["start"], "2026-03-01T00:00:00Z");
    assert_eq!(
        (row["answered"].as_i64(), row["talk_s"].as_i64()),
        (Some(3), Some(150))
    );
    assert_eq!(row["wrapped_up"], 1);

    let (status, problem) = supervisor
        .get("/api/v1/reports/queues?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z&interval=week&service_level=0")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(fields(&problem), ["interval", "service_level", "to"]);
    let (status, _) = agent.get("/api/v1/reports/agents").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "agents see their own calls only"
    );
}
