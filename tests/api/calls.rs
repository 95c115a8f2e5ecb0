use reqwest::StatusCode;
use serde_json::{Value, json};
use switchboard::crm::RepoError;
use switchboard::crm::calls::{
    CallFilter, CallRecord, CallScope, Direction, LegRecord, Outcome, Party, RecordingRef,
};
use switchboard::crm::page::PageRequest;

use crate::helpers::{TestApp, fields, on_both_backends};

/// A finished call as the B2BUA reports it; `minute` spreads arrivals apart.
fn call(call_id: &str, minute: u32, direction: Direction, outcome: Outcome) -> CallRecord {
    let arrived_at = format!("2026-03-01T10:{minute:02}:00Z").parse().unwrap();
    let answered = outcome == Outcome::Answered;
    CallRecord {
        call_id: call_id.into(),
        direction,
        trunk: (direction != Direction::Internal).then(|| "avaya-main".into()),
        caller: "2025550143".into(),
        caller_e164: Some("+12025550143".into()),
        caller_name: Some("Olga Petrova".into()),
        called: "8005550100".into(),
        original_called: None,
        answered_by: answered.then(|| "101".into()),
        dialplan_rule: Some("sales".into()),
        party_e164: None,
        queue: None,
        arrived_at,
        queued_at: None,
        offered_at: None,
        answered_at: answered.then(|| arrived_at + chrono::Duration::seconds(8)),
        ended_at: arrived_at + chrono::Duration::seconds(if answered { 128 } else { 20 }),
        outcome,
        hangup_by: Some(Party::Caller),
        sip_code: (outcome == Outcome::Busy).then_some(486),
        legs: vec![LegRecord {
            extension_or_number: "101".into(),
            contact: Some("sip:101@192.0.2.10:5060".into()),
            answered,
            sip_code: (!answered).then_some(486),
        }],
        recording: None,
    }
}

async fn store(app: &TestApp, records: &[CallRecord]) {
    for record in records {
        app.repo.record_call(record).await.unwrap();
    }
}

fn call_ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["call_id"].as_str().unwrap().to_string())
        .collect()
}

async fn calls_are_listed_newest_first_and_filtered(app: TestApp) {
    let mut placed = call("c4", 4, Direction::Outbound, Outcome::Answered);
    placed.caller = "102".into();
    placed.caller_e164 = None;
    placed.answered_by = None;
    placed.called = "+442079460958".into();
    let mut diverted = call("c5", 5, Direction::Inbound, Outcome::NoAnswer);
    diverted.caller = "4155550199".into();
    diverted.caller_e164 = Some("+14155550199".into());
    diverted.original_called = Some("8005550177".into());
    store(
        &app,
        &[
            call("c1", 1, Direction::Inbound, Outcome::Answered),
            call("c2", 2, Direction::Inbound, Outcome::Busy),
            call("c3", 3, Direction::Internal, Outcome::Cancelled),
            placed,
            diverted,
        ],
    )
    .await;
    let admin = app.admin().await;
    let list = |query: &str| {
        let admin = &admin;
        let path = format!("/api/v1/calls{query}");
        async move {
            let (status, page) = admin.get(&path).await;
            assert_eq!(status, StatusCode::OK, "{path}: {page}");
            call_ids(&page)
        }
    };
    assert_eq!(list("").await, ["c5", "c4", "c3", "c2", "c1"]);
    assert_eq!(list("?direction=inbound").await, ["c5", "c2", "c1"]);
    assert_eq!(list("?outcome=busy").await, ["c2"]);
    assert_eq!(
        list("?extension=101").await,
        ["c1"],
        "answered by the extension"
    );
    assert_eq!(list("?extension=102").await, ["c4"], "placed from it");
    assert_eq!(
        list("?number=7946").await,
        ["c4"],
        "a fragment of the called"
    );
    assert_eq!(
        list("?number=8005550177").await,
        ["c5"],
        "the number first dialled before a diversion"
    );
    assert_eq!(
        list("?number=(415)%20555-0199").await,
        ["c5"],
        "a written number finds the caller's E.164 form"
    );
    assert_eq!(
        list("?from=2026-03-01T10:02:00Z&to=2026-03-01T10:04:00Z").await,
        ["c3", "c2"],
        "from is inclusive, to exclusive"
    );
    assert_eq!(
        list("?direction=inbound&outcome=answered&number=555").await,
        ["c1"]
    );
}

async fn calls_page_with_a_cursor(app: TestApp) {
    // c2 and c3 arrive in the same second, on either side of a page break:
    // the id breaks the tie, so neither is skipped nor repeated.
    let same_second: Vec<_> = [0, 1, 3, 3, 4]
        .into_iter()
        .enumerate()
        .map(|(i, minute)| {
            call(
                &format!("c{i}"),
                minute,
                Direction::Inbound,
                Outcome::Answered,
            )
        })
        .collect();
    store(&app, &same_second).await;
    let admin = app.admin().await;
    let mut seen = Vec::new();
    let mut path = "/api/v1/calls?limit=2".to_string();
    for _ in 0..3 {
        let (status, page) = admin.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(call_ids(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/calls?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, ["c4", "c3", "c2", "c1", "c0"]);
}

async fn a_call_keeps_every_field_and_its_durations(app: TestApp) {
    let mut record = call("c1", 1, Direction::Inbound, Outcome::Answered);
    record.original_called = Some("8005550177".into());
    record.legs.insert(
        0,
        LegRecord {
            extension_or_number: "100".into(),
            contact: None,
            answered: false,
            sip_code: Some(480),
        },
    );
    store(&app, std::slice::from_ref(&record)).await;
    let admin = app.admin().await;
    let (_, page) = admin.get("/api/v1/calls").await;
    let id = page["items"][0]["id"].as_i64().unwrap();
    let (status, body) = admin.get(&format!("/api/v1/calls/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["call_id"], "c1");
    assert_eq!(body["direction"], "inbound");
    assert_eq!(body["trunk"], "avaya-main");
    assert_eq!(body["caller_name"], "Olga Petrova");
    assert_eq!(body["original_called"], "8005550177");
    assert_eq!(body["answered_by"], "101");
    assert_eq!(body["dialplan_rule"], "sales");
    assert_eq!(body["arrived_at"], "2026-03-01T10:01:00Z");
    assert_eq!(body["answered_at"], "2026-03-01T10:01:08Z");
    assert_eq!(body["outcome"], "answered");
    assert_eq!(body["hangup_by"], "caller");
    assert_eq!(
        (body["wait_s"].as_i64(), body["talk_s"].as_i64()),
        (Some(8), Some(120))
    );
    assert_eq!(body["legs"][0]["sip_code"], 480);
    assert_eq!(body["legs"][1]["contact"], "sip:101@192.0.2.10:5060");
    assert_eq!(body["legs"][1]["answered"], true);
    let (status, _) = admin.get("/api/v1/calls/987654").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_call_recorded_twice_is_stored_once(app: TestApp) {
    let first = call("dup", 1, Direction::Inbound, Outcome::Answered);
    let mut retry = first.clone();
    retry.outcome = Outcome::Failed;
    store(&app, &[first.clone(), retry, first]).await;
    let (_, page) = app.admin().await.get("/api/v1/calls").await;
    assert_eq!(call_ids(&page), ["dup"]);
    assert_eq!(
        page["items"][0]["outcome"], "answered",
        "the first write stands"
    );
}

async fn a_nul_in_a_callers_name_stores_the_same_on_both_backends(app: TestApp) {
    let mut record = call("nul", 1, Direction::Inbound, Outcome::Answered);
    record.caller_name = Some("Olga\0Petrova".into());
    app.repo.record_call(&record).await.unwrap();
    let (_, page) = app.admin().await.get("/api/v1/calls").await;
    assert_eq!(page["items"][0]["caller_name"], "Olga\u{fffd}Petrova");
}

async fn calls_are_open_to_supervisors_and_managers_only(app: TestApp) {
    store(
        &app,
        &[call("c1", 1, Direction::Inbound, Outcome::Answered)],
    )
    .await;
    for role in ["supervisor", "manager"] {
        let session = app.user(role, role).await;
        let (status, page) = session.get("/api/v1/calls").await;
        assert_eq!(status, StatusCode::OK, "{role}");
        assert_eq!(call_ids(&page), ["c1"], "{role}");
    }
    let (status, body) = app
        .user("marketer", "marketer")
        .await
        .get("/api/v1/calls")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["type"], "/problems/forbidden");

    // Agents reach the calls of their own extensions: with none, they see no
    // call, and a call answers like a missing one.
    let admin = app.admin().await;
    let (_, page) = admin.get("/api/v1/calls").await;
    let id = page["items"][0]["id"].as_i64().unwrap();
    let agent = app.user("agent1", "agent").await;
    let (status, page) = agent.get("/api/v1/calls").await;
    assert_eq!(status, StatusCode::OK);
    assert!(call_ids(&page).is_empty());
    let (status, hidden) = agent.get(&format!("/api/v1/calls/{id}")).await;
    let (_, missing) = agent.get("/api/v1/calls/987654").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(hidden, missing);

    // Once extension 101 (which answered c1) is agent1's, c1 is theirs.
    let agent_id = agent.me().await["id"].as_i64().unwrap();
    let (status, _) = admin
        .post(
            "/api/v1/sip/accounts",
            json!({"extension": "101", "password": "long enough", "user_id": agent_id}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, page) = agent.get("/api/v1/calls").await;
    assert_eq!(call_ids(&page), ["c1"]);
    let (status, _) = agent.get(&format!("/api/v1/calls/{id}")).await;
    assert_eq!(status, StatusCode::OK);

    let (status, _) = app
        .raw(reqwest::Method::GET, "/api/v1/calls", None, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn an_extension_scope_reaches_the_calls_it_answered_or_placed(app: TestApp) {
    let answered = call("answered", 1, Direction::Inbound, Outcome::Answered);
    let mut placed = call("placed", 2, Direction::Outbound, Outcome::Answered);
    placed.caller = "101".into();
    placed.answered_by = None;
    let mut other = call("other", 3, Direction::Inbound, Outcome::Answered);
    other.answered_by = Some("205".into());
    store(&app, &[answered, placed, other]).await;
    let page = PageRequest::default();
    let scope = |extensions: &[&str]| {
        CallScope::Extensions(extensions.iter().map(|e| e.to_string()).collect())
    };
    let list = |scope: CallScope| {
        let repo = app.repo.clone();
        let page = page.clone();
        async move {
            let found = repo
                .list_calls(&scope, &CallFilter::default(), &page)
                .await
                .unwrap();
            found
                .items
                .into_iter()
                .map(|c| c.record.call_id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(list(scope(&["101"])).await, ["placed", "answered"]);
    assert_eq!(
        list(scope(&["101", "205"])).await,
        ["other", "placed", "answered"]
    );
    assert!(list(scope(&[])).await.is_empty());
    let other_id = app
        .repo
        .list_calls(&CallScope::All, &CallFilter::default(), &page)
        .await
        .unwrap()
        .items[0]
        .id;
    assert!(matches!(
        app.repo.call(&scope(&["101"]), other_id).await,
        Err(RepoError::NotFound)
    ));
    assert_eq!(
        app.repo
            .call(&scope(&["205"]), other_id)
            .await
            .unwrap()
            .record
            .call_id,
        "other"
    );
}

async fn bad_call_filters_are_named(app: TestApp) {
    let (status, body) = app
        .admin()
        .await
        .get("/api/v1/calls?direction=sideways&outcome=maybe&from=yesterday&limit=0")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(fields(&body), ["from", "direction", "outcome", "limit"]);
}

async fn calls_are_in_the_openapi_document(app: TestApp) {
    let (_, doc) = app.admin().await.get("/api/v1/openapi.json").await;
    assert!(doc["paths"]["/api/v1/calls"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/calls/{id}"]["get"].is_object());
    assert!(doc["components"]["schemas"]["StoredCallRecord"].is_object());
}

async fn a_calls_recording_is_streamed_with_ranges_to_those_who_reach_the_call(app: TestApp) {
    let mut record = call("rec", 1, Direction::Inbound, Outcome::Answered);
    record.recording = Some(RecordingRef {
        file: "2026-03-01/0123.wav".into(),
        duration_ms: 128_000,
    });
    let unrecorded = call("plain", 2, Direction::Inbound, Outcome::Answered);
    store(&app, &[record, unrecorded]).await;
    let day = app.recordings.path().join("2026-03-01");
    std::fs::create_dir_all(&day).unwrap();
    let wav: Vec<u8> = b"RIFF\x24\0\0\0WAVE"
        .iter()
        .copied()
        .chain(0..200u8)
        .collect();
    std::fs::write(day.join("0123.wav"), &wav).unwrap();
    let admin = app.admin().await;
    let (_, page) = admin.get("/api/v1/calls").await;
    let id_of = |call_id: &str| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["call_id"] == call_id)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (rec, plain) = (id_of("rec"), id_of("plain"));
    let (_, body) = admin.get(&format!("/api/v1/calls/{rec}")).await;
    assert_eq!(body["recording"]["file"], "2026-03-01/0123.wav");
    assert_eq!(body["recording"]["duration_ms"], 128_000);
    let path = format!("/api/v1/calls/{rec}/recording");
    let (status, headers, bytes) = admin.get_bytes(&path, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "audio/wav");
    assert_eq!(bytes, wav);
    let (status, headers, bytes) = admin.get_bytes(&path, &[("range", "bytes=8-11")]).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(bytes, b"WAVE");
    assert_eq!(
        headers["content-range"],
        format!("bytes 8-11/{}", wav.len())
    );
    let (status, _, _) = admin
        .get_bytes(&format!("/api/v1/calls/{plain}/recording"), &[])
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a call that was not recorded"
    );
    // An agent with no extension reaches no call, so no recording either.
    let agent = app.user("agent1", "agent").await;
    let (status, _, _) = agent.get_bytes(&path, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app
        .user("marketer", "marketer")
        .await
        .get_bytes(&path, &[])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    std::fs::remove_file(day.join("0123.wav")).unwrap();
    let (status, _, _) = admin.get_bytes(&path, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "deleted by the retention");
}

on_both_backends!(
    a_calls_recording_is_streamed_with_ranges_to_those_who_reach_the_call,
    calls_are_listed_newest_first_and_filtered,
    calls_page_with_a_cursor,
    a_call_keeps_every_field_and_its_durations,
    a_call_recorded_twice_is_stored_once,
    a_nul_in_a_callers_name_stores_the_same_on_both_backends,
    calls_are_open_to_supervisors_and_managers_only,
    an_extension_scope_reaches_the_calls_it_answered_or_placed,
    bad_call_filters_are_named,
    calls_are_in_the_openapi_document,
);
