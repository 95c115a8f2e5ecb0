//! Campaigns that run: started only with what they need, paused and
//! stopped by marketers; the dialler's leads (never a callback promised to
//! an agent) and the agent it puts a call through to; the calls it made,
//! kept as attempts, and the abandon rate counted from them.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use reqwest::StatusCode;
use serde_json::json;
use switchboard::crm::RepoError;
use switchboard::crm::campaign_leads::next_lead;
use switchboard::crm::campaigns::{AttemptRecord, LeadNext, RunState};
use switchboard::dialer::leads::AttemptOutcome;
use switchboard::ids::UserId;
use switchboard::runtime::clock;

use crate::campaigns::window_around_new_york;
use crate::helpers::{TestApp, fields, on_both_backends};

async fn marketers_start_pause_and_stop_campaigns_and_a_paused_one_gives_no_leads(app: TestApp) {
    let marketer = app.user("mia", "marketer").await;
    let agent = app.user("anna", "agent").await;
    let anna = agent.me().await["id"].as_i64().unwrap();
    let (_, created) = marketer
        .post("/api/v1/campaigns", json!({"name": "Dialler"}))
        .await;
    let id = created["id"].as_i64().unwrap();
    let (_, campaign) = marketer.get(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(campaign["state"], "stopped", "new campaigns are stopped");
    let start = format!("/api/v1/campaigns/{id}/start");

    // A progressive campaign needs a trunk and agents: both named at once.
    let (status, problem) = marketer.post(&start, json!(null)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["settings.trunk", "settings.agents"]);
    let (from, until) = window_around_new_york();
    let (status, _) = marketer
        .put(
            &format!("/api/v1/campaigns/{id}"),
            json!({"settings": {"trunk": "demo-pbx", "calling_from": from,
                "calling_until": until, "time_zone": "America/New_York"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, problem) = marketer.post(&start, json!(null)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["settings.agents"]);
    let (_, still) = marketer.get(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(still["state"], "stopped");
    marketer
        .put(
            &format!("/api/v1/campaigns/{id}"),
            json!({"settings": {"agents": [anna]}}),
        )
        .await;
    let (status, started) = marketer.post(&start, json!(null)).await;
    assert_eq!(status, StatusCode::OK, "{started}");
    assert_eq!(started["state"], "running");
    assert_eq!(started["settings"]["trunk"], "demo-pbx");
    let (_, shown) = marketer.get(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(shown["state"], "running");
    let running = app.repo.running_campaigns().await.unwrap();
    assert_eq!(running.iter().map(|c| c.id).collect::<Vec<_>>(), [id]);
    assert_eq!(running[0].state, RunState::Running);

    // A preview campaign needs no trunk.
    let (_, preview) = marketer
        .post(
            "/api/v1/campaigns",
            json!({"name": "By hand", "settings": {"mode": "preview", "agents": [anna]}}),
        )
        .await;
    let (status, started) = marketer
        .post(
            &format!("/api/v1/campaigns/{}/start", preview["id"]),
            json!(null),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{started}");
    assert_eq!(started["state"], "running");

    // Agents may not; an unknown campaign is not found.
    for action in ["start", "pause", "stop"] {
        let (status, _) = agent
            .post(&format!("/api/v1/campaigns/{id}/{action}"), json!(null))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{action}");
        let (status, _) = marketer
            .post(&format!("/api/v1/campaigns/999999/{action}"), json!(null))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{action}");
    }

    // Paused: the agents are given nothing; stopped: they may ask again.
    app.send_bytes(
        &format!("/api/v1/campaigns/{id}/leads"),
        &marketer.token,
        "text/csv",
        "number\n+1 212 555 0141\n",
    )
    .await;
    let (status, paused) = marketer
        .post(&format!("/api/v1/campaigns/{id}/pause"), json!(null))
        .await;
    assert_eq!(
        (status, paused["state"].clone()),
        (StatusCode::OK, json!("paused"))
    );
    let next = format!("/api/v1/campaigns/{id}/next");
    let (status, problem) = agent.post(&next, json!(null)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["type"], "/problems/wrong-state");
    assert!(
        problem["detail"].as_str().unwrap().contains("not running"),
        "{problem}"
    );
    assert!(
        app.repo
            .running_campaigns()
            .await
            .unwrap()
            .iter()
            .all(|c| c.id != id)
    );
    let (status, stopped) = marketer
        .post(&format!("/api/v1/campaigns/{id}/stop"), json!(null))
        .await;
    assert_eq!(
        (status, stopped["state"].clone()),
        (StatusCode::OK, json!("stopped"))
    );
    let (status, given) = agent.post(&next, json!(null)).await;
    assert_eq!(status, StatusCode::OK, "{given}");
    assert_eq!(given["lead"]["number"], "+12125550141");

    // Each change of state is in the audit log, by who made it.
    let (_, audit) = app
        .admin()
        .await
        .get(&format!("/api/v1/audit?entity=campaign&entity_id={id}"))
        .await;
    let states: Vec<_> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["field"] == "state")
        .map(|e| (e["new_value"].clone(), e["username"].clone()))
        .collect();
    assert_eq!(
        states,
        [
            (json!("stopped"), json!("mia")),
            (json!("paused"), json!("mia")),
            (json!("running"), json!("mia"))
        ]
    );
}

async fn the_dialler_calls_leads_nobody_was_promised_and_the_agent_it_connects_finishes_them(
    app: TestApp,
) {
    let marketer = app.user("mia", "marketer").await;
    let agent = app.user("anna", "agent").await;
    let anna = UserId(agent.me().await["id"].as_i64().unwrap());
    let ben = UserId(
        app.user("ben", "agent").await.me().await["id"]
            .as_i64()
            .unwrap(),
    );
    let (from, until) = window_around_new_york();
    let (_, created) = marketer
        .post(
            "/api/v1/campaigns",
            json!({"name": "Progressive", "settings": {"trunk": "demo-pbx", "agents": [anna.0, ben.0],
                "results": ["sale", "no interest"], "calling_from": from, "calling_until": until,
                "time_zone": "America/New_York"}}),
        )
        .await;
    let id = created["id"].as_i64().unwrap();
    app.send_bytes(
        &format!("/api/v1/campaigns/{id}/leads"),
        &marketer.token,
        "text/csv",
        "number,priority\n+1 212 555 0131,3\n+1 212 555 0132,2\n+1 212 555 0133,1\n",
    )
    .await;
    let (status, _) = marketer
        .post(&format!("/api/v1/campaigns/{id}/start"), json!(null))
        .await;
    assert_eq!(status, StatusCode::OK);
    let campaign = app.repo.campaign(id).await.unwrap().unwrap();
    let repo = &*app.repo;
    let now = clock::now();

    // Anna promised to call 0131 back herself: the dialler leaves it to her.
    let first = next_lead(repo, &campaign, Some(anna), now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.number, "+12125550131");
    let promise = LeadNext::Callback {
        at: now,
        agent: Some(anna),
    };
    repo.finish_lead(
        first.id,
        anna,
        Some("answered"),
        Some("no interest"),
        None,
        promise,
    )
    .await
    .unwrap();
    let due = repo.due_leads(id, None, now, 10).await.unwrap();
    assert_eq!(
        due.iter().map(|l| l.number.as_str()).collect::<Vec<_>>(),
        ["+12125550132", "+12125550133"]
    );

    // The dialler takes 0132 with no agent; the call is put through to
    // Anna, who records how it went as for a lead she asked for.
    let dialled = next_lead(repo, &campaign, None, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            dialled.number.as_str(),
            dialled.state.as_str(),
            dialled.agent_id,
            dialled.attempts
        ),
        ("+12125550132", "dialling", None, 1)
    );
    assert!(repo.assign_lead(dialled.id, anna).await.unwrap());
    assert!(
        !repo.assign_lead(dialled.id, ben).await.unwrap(),
        "Anna has it"
    );
    // Hers to finish until she says how it went.
    let (_, unfinished) = agent.get("/api/v1/agent/campaign-leads").await;
    assert_eq!(
        (
            unfinished["items"].as_array().map(Vec::len),
            &unfinished["items"][0]["lead"]["number"],
            &unfinished["items"][0]["results"]
        ),
        (
            Some(1),
            &json!("+12125550132"),
            &json!(["sale", "no interest"])
        ),
        "{unfinished}"
    );
    let (status, sold) = agent
        .post(
            &format!("/api/v1/campaigns/{id}/leads/{}/outcome", dialled.id),
            json!({"outcome": "answered", "result": "sale"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{sold}");
    assert_eq!(
        (
            sold["state"].clone(),
            sold["closed_as"].clone(),
            sold["agent_id"].clone()
        ),
        (json!("closed"), json!("answered"), json!(anna.0))
    );
    assert!(
        !repo.assign_lead(dialled.id, ben).await.unwrap(),
        "no longer dialled"
    );
    let (_, unfinished) = agent.get("/api/v1/agent/campaign-leads").await;
    assert_eq!(unfinished["items"], json!([]), "finished");

    // 0133 is busy: the dialler ends the attempt itself.
    let busy = next_lead(repo, &campaign, None, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(busy.number, "+12125550133");
    let later = now + Duration::minutes(10);
    let retry = LeadNext::Waiting {
        at: later,
        uncount: false,
    };
    repo.end_dialled_lead(busy.id, "busy", retry).await.unwrap();
    let waiting = repo.campaign_lead(busy.id).await.unwrap().unwrap();
    assert_eq!(
        (
            waiting.state.as_str(),
            waiting.last_outcome.as_deref(),
            waiting.attempts,
            waiting.next_at
        ),
        ("waiting", Some("busy"), 1, later)
    );
    assert!(matches!(
        repo.end_dialled_lead(busy.id, "busy", retry).await,
        Err(RepoError::NotFound)
    ));

    // Nothing more for the dialler; Anna's callback is still hers.
    assert_eq!(next_lead(repo, &campaign, None, now).await.unwrap(), None);
    let hers = next_lead(repo, &campaign, Some(anna), now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((hers.id, hers.agent_id), (first.id, Some(anna.0)));
}

/// Today at `h:m:s` UTC, `days` days back.
fn at(today: DateTime<Utc>, days: i64, h: u32, m: u32, s: u32) -> DateTime<Utc> {
    let time = NaiveTime::from_hms_opt(h, m, s).unwrap();
    today.date_naive().and_time(time).and_utc() - Duration::days(days)
}

async fn the_abandon_rate_counts_abandoned_calls_per_call_a_person_answered(app: TestApp) {
    let marketer = app.user("mia", "marketer").await;
    let anna = UserId(
        app.user("anna", "agent").await.me().await["id"]
            .as_i64()
            .unwrap(),
    );
    let (_, created) = marketer
        .post("/api/v1/campaigns", json!({"name": "Counted"}))
        .await;
    let id = created["id"].as_i64().unwrap();
    app.send_bytes(
        &format!("/api/v1/campaigns/{id}/leads"),
        &marketer.token,
        "text/csv",
        "number\n+1 212 555 0151\n",
    )
    .await;
    let (_, leads) = marketer.get(&format!("/api/v1/campaigns/{id}/leads")).await;
    let lead = leads["items"][0]["id"].as_i64();
    // Noon today: every time of today below is on the same UTC day.
    let noon = at(clock::now(), 0, 12, 0, 0);
    let attempt = |dialled_at: DateTime<Utc>, outcome: AttemptOutcome| AttemptRecord {
        campaign_id: id,
        lead_id: lead,
        number: "+12125550151".into(),
        dialled_at,
        answered_at: matches!(
            outcome,
            AttemptOutcome::Answered | AttemptOutcome::Abandoned
        )
        .then(|| dialled_at + Duration::seconds(8)),
        connected_at: None,
        ended_at: dialled_at + Duration::seconds(30),
        agent_id: None,
        outcome,
        sip_code: None,
        // Billed from the answer (8 s in) to the end (30 s in).
        billed_seconds: if matches!(
            outcome,
            AttemptOutcome::Answered | AttemptOutcome::Abandoned
        ) {
            22
        } else {
            0
        },
    };
    let connected = |dialled_at| AttemptRecord {
        connected_at: Some(dialled_at + Duration::seconds(9)),
        agent_id: Some(anna),
        sip_code: Some(200),
        ..attempt(dialled_at, AttemptOutcome::Answered)
    };
    let busy = |dialled_at| AttemptRecord {
        sip_code: Some(486),
        ..attempt(dialled_at, AttemptOutcome::Busy)
    };
    let records = [
        // Today: 3 dialled, 2 answered by a person, 1 taken by an agent,
        // 1 abandoned.
        connected(at(noon, 0, 0, 0, 0)),
        attempt(at(noon, 0, 11, 0, 0), AttemptOutcome::Abandoned),
        busy(at(noon, 0, 11, 30, 0)),
        // The last second of yesterday.
        attempt(at(noon, 1, 23, 59, 59), AttemptOutcome::Abandoned),
        // Ten days ago: in the 30 days, not today.
        attempt(at(noon, 10, 9, 0, 0), AttemptOutcome::Abandoned),
        connected(at(noon, 10, 9, 5, 0)),
        attempt(at(noon, 10, 9, 10, 0), AttemptOutcome::NoAnswer),
        // Forty days ago: counted nowhere.
        attempt(at(noon, 40, 9, 0, 0), AttemptOutcome::Abandoned),
    ];
    let mut ids = Vec::new();
    for record in &records {
        ids.push(app.repo.record_attempt(record).await.unwrap());
    }
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");

    let days = app
        .repo
        .abandon_days(id, noon - Duration::days(30))
        .await
        .unwrap();
    let day = |back: i64| (noon - Duration::days(back)).date_naive();
    assert_eq!(days, [(day(10), 2, 1), (day(1), 1, 1), (day(0), 2, 1)]);
    let unknown = app.repo.abandon_days(id + 100, noon - Duration::days(30));
    assert!(unknown.await.unwrap().is_empty());

    // Today 1 abandoned of 2 answered; over 30 days 3 of 5.
    let stats = app.repo.campaign_stats(id, noon).await.unwrap();
    assert_eq!(
        (
            stats.dialled_today,
            stats.answered_today,
            stats.connected_today,
            stats.abandoned_today
        ),
        (3, 2, 1, 1)
    );
    assert_eq!(stats.abandon_rate_today, 0.5);
    assert_eq!(stats.abandon_rate_30_days, 0.6);
    // The console's figures are today's (UTC) at the time asked.
    let (status, shown) = marketer.get(&format!("/api/v1/campaigns/{id}/stats")).await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert_eq!(
        (
            shown["dialled_today"].clone(),
            shown["answered_today"].clone(),
            shown["connected_today"].clone(),
            shown["abandoned_today"].clone(),
            shown["abandon_rate_today"].clone(),
            shown["abandon_rate_30_days"].clone()
        ),
        (
            json!(3),
            json!(2),
            json!(1),
            json!(1),
            json!(0.5),
            json!(0.6)
        ),
        "{shown}"
    );
    // Costs are every day's, at the campaign's rate: 6 answered calls of
    // 22 s at 0.60 a minute cost 1.32 of a budget of 5.
    let (status, body) = marketer
        .put(
            &format!("/api/v1/campaigns/{id}"),
            json!({"settings": {"cost_per_minute": "0.60", "budget": "5", "agents": [anna.0]}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, shown) = marketer.get(&format!("/api/v1/campaigns/{id}/stats")).await;
    assert_eq!(
        (
            &shown["billed_seconds"],
            &shown["cost"],
            &shown["budget_left"]
        ),
        (&json!(132), &json!("1.32"), &json!("3.68")),
        "{shown}"
    );
    // anna took today's connected call (talking from 9 s to 30 s in); this
    // server takes no calls, so she is offline and nobody is busy or free.
    assert_eq!(
        shown["agents"],
        json!([{"agent": anna.0, "name": "anna", "state": "offline",
            "calls_today": 1, "talk_seconds_today": 21}]),
        "{shown}"
    );
    assert_eq!(shown["occupancy"], serde_json::Value::Null, "{shown}");
    // Today's calls hour by hour: the connected one at midnight, the
    // abandoned and the busy one in the eleven o'clock hour (UTC).
    let hour = |h: u32| at(noon, 0, h, 0, 0).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert_eq!(
        shown["hours_today"],
        json!([
            {"start": hour(0), "dialled": 1, "answered": 1, "abandoned": 0},
            {"start": hour(11), "dialled": 2, "answered": 1, "abandoned": 1},
        ]),
        "{shown}"
    );
    // A campaign nobody called has rates of 0, not a division by zero.
    let (_, other) = marketer
        .post("/api/v1/campaigns", json!({"name": "Quiet"}))
        .await;
    let (_, quiet) = marketer
        .get(&format!("/api/v1/campaigns/{}/stats", other["id"]))
        .await;
    assert_eq!(
        (
            quiet["dialled_today"].clone(),
            quiet["abandon_rate_30_days"].clone()
        ),
        (json!(0), json!(0.0))
    );

    // Attempts go with their campaign.
    let (status, _) = marketer.delete(&format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let gone = app.repo.abandon_days(id, noon - Duration::days(30));
    assert!(gone.await.unwrap().is_empty());
}

on_both_backends!(
    marketers_start_pause_and_stop_campaigns_and_a_paused_one_gives_no_leads,
    the_dialler_calls_leads_nobody_was_promised_and_the_agent_it_connects_finishes_them,
    the_abandon_rate_counts_abandoned_calls_per_call_a_person_answered,
);
