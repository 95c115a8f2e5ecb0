//! Failures: each waits its backoff (or the registrar's Retry-After) and
//! never turns into a loop of REGISTERs.

use super::*;

#[test]
fn a_wrong_password_backs_off_instead_of_looping() {
    let mut bench = Bench::new(register(3600));
    let mut at = 0;
    let mut waits = Vec::new();
    for _ in 0..7 {
        let first = bench.due(at);
        let second = sent(&bench.answer(at, &first, 401, &[www(CHALLENGE)])).remove(0);
        let outputs = bench.answer(at, &second, 401, &[www(CHALLENGE)]);
        assert!(sent(&outputs).is_empty(), "no third REGISTER");
        let [Output::Failed { reason, retry_in }] = outputs.as_slice() else {
            panic!("{outputs:?}");
        };
        assert_eq!(*reason, Failure::BadCredentials { status: 401 });
        waits.push(retry_in.as_secs());
        at += retry_in.as_secs();
        assert!(
            sent(&bench.run_until(at - 1)).is_empty(),
            "quiet until {at}"
        );
    }
    assert_eq!(waits, [30, 60, 120, 240, 480, 600, 600]);
}

#[test]
fn timeouts_back_off_and_a_success_starts_the_doubling_over() {
    let mut bench = Bench::new(register(600));
    bench.due(0);
    bench.registration.on_timeout(bench.at(32));
    assert_eq!(
        bench.drain(),
        [Output::Failed {
            reason: Failure::Timeout,
            retry_in: SECOND * 30
        }]
    );
    bench.due(62);
    bench.registration.on_timeout(bench.at(94));
    let retry = bench.registration.poll_timeout().expect("retry");
    assert_eq!(bench.secs(retry), 154, "60 s after the second failure");
    let request = bench.due(154);
    bench.answer(154, &request, 200, &[]);
    bench.due(154 + 570);
    bench.registration.on_timeout(bench.at(154 + 602));
    bench.drain();
    let retry = bench.registration.poll_timeout().expect("retry");
    assert_eq!(
        bench.secs(retry),
        154 + 600,
        "the binding's end comes first"
    );
    let outputs = bench.run_until(154 + 600);
    assert_eq!(outputs, [Output::Lapsed]);
    assert!(!bench.registration.is_registered(bench.at(154 + 600)));
    assert_eq!(
        bench.secs(bench.registration.poll_timeout().expect("retry")),
        154 + 602 + 30,
        "30 s again: the success reset the backoff"
    );
}

#[test]
fn rejections_wait_their_backoff_or_the_retry_after() {
    let mut bench = Bench::new(register(3600));
    let first = bench.due(0);
    let outputs = bench.answer(0, &first, 403, &[]);
    assert_eq!(
        outputs,
        [Output::Failed {
            reason: Failure::Rejected { status: 403 },
            retry_in: SECOND * 30
        }]
    );
    let second = bench.due(30);
    let outputs = bench.answer(
        30,
        &second,
        503,
        &[Header::RetryAfter("240 (maintenance)".into())],
    );
    assert!(matches!(
        outputs.as_slice(),
        [Output::Failed { retry_in, .. }] if *retry_in == SECOND * 240
    ));
    let third = bench.due(270);
    let outputs = bench.answer(270, &third, 503, &[Header::RetryAfter("86400".into())]);
    assert!(matches!(
        outputs.as_slice(),
        [Output::Failed { retry_in, .. }] if *retry_in == MAX_BACKOFF
    ));
}

#[test]
fn a_grant_of_nothing_is_a_failure() {
    let mut bench = Bench::new(register(3600));
    let first = bench.due(0);
    let outputs = bench.answer(0, &first, 200, &[contact_expires(0)]);
    assert!(matches!(
        outputs.as_slice(),
        [Output::Failed {
            reason: Failure::NotBound,
            ..
        }]
    ));
    assert!(!bench.registration.is_registered(bench.at(1)));
}
