//! The guard as a scanner and a trunk see it, in virtual time.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use super::*;

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn ms(m: u64) -> Duration {
    Duration::from_millis(m)
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn guard() -> AuthGuard {
    AuthGuard::new(GuardPolicy::default())
}

#[test]
fn fifth_failure_within_a_minute_bans_for_ten_minutes() {
    let mut guard = guard();
    let scanner = ip("203.0.113.5");
    for (i, user) in ["100", "101", "100", "admin"].iter().enumerate() {
        assert_eq!(guard.failed(secs(i as u64), scanner, user), None);
        assert_eq!(guard.admit(secs(i as u64), scanner), Admission::Allow);
    }
    let ban = guard.failed(secs(10), scanner, "1000").unwrap();
    assert_eq!(
        ban,
        BanStarted {
            source: scanner,
            until: secs(610),
            failures: 5,
            usernames: vec!["100".into(), "101".into(), "admin".into(), "1000".into()],
        }
    );
    assert_eq!(
        guard.admit(secs(11), scanner),
        Admission::Banned { until: secs(610) }
    );
    assert_eq!(guard.admit(secs(11), ip("203.0.113.6")), Admission::Allow);
}

#[test]
fn failures_spread_beyond_the_window_do_not_ban() {
    let mut guard = guard();
    let phone = ip("198.51.100.20");
    for t in [0, 15, 30, 45, 60, 75, 90, 105] {
        assert_eq!(guard.failed(secs(t), phone, "alice"), None, "at {t}s");
    }
    assert_eq!(guard.admit(secs(106), phone), Admission::Allow);
    // Four within the last minute, and one more inside it: banned.
    assert!(guard.failed(secs(106), phone, "alice").is_some());
}

#[test]
fn ban_ends_on_its_own() {
    let mut guard = guard();
    let scanner = ip("203.0.113.7");
    for _ in 0..5 {
        guard.failed(secs(0), scanner, "x");
    }
    assert_eq!(
        guard.admit(secs(600) - ms(1), scanner),
        Admission::Banned { until: secs(600) }
    );
    assert_eq!(guard.admit(secs(600), scanner), Admission::Allow);
    assert_eq!(guard.bans_held(), 0);
    // It starts again from a clean slate.
    for _ in 0..4 {
        assert_eq!(guard.failed(secs(601), scanner, "x"), None);
    }
}

#[test]
fn failures_while_banned_do_not_extend_the_ban() {
    let mut guard = guard();
    let scanner = ip("203.0.113.8");
    for _ in 0..5 {
        guard.failed(secs(0), scanner, "x");
    }
    assert_eq!(guard.failed(secs(300), scanner, "x"), None);
    assert_eq!(
        guard.admit(secs(300), scanner),
        Admission::Banned { until: secs(600) }
    );
}

#[test]
fn success_forgives_earlier_failures() {
    let mut guard = guard();
    let phone = ip("198.51.100.21");
    for _ in 0..4 {
        assert_eq!(guard.failed(secs(1), phone, "alice"), None);
    }
    guard.succeeded(phone);
    for _ in 0..4 {
        assert_eq!(guard.failed(secs(2), phone, "alice"), None);
    }
    assert!(guard.failed(secs(3), phone, "alice").is_some());
}

#[test]
fn burst_is_limited_and_tokens_refill_at_the_rate() {
    let mut guard = guard();
    let phone = ip("198.51.100.22");
    for _ in 0..20 {
        assert_eq!(guard.admit(secs(1), phone), Admission::Allow);
    }
    assert_eq!(guard.admit(secs(1), phone), Admission::RateLimited);
    // 20 per second: one token every 50 ms.
    assert_eq!(guard.admit(secs(1) + ms(49), phone), Admission::RateLimited);
    assert_eq!(guard.admit(secs(1) + ms(50), phone), Admission::Allow);
    assert_eq!(guard.admit(secs(1) + ms(50), phone), Admission::RateLimited);
    // A long pause refills only up to the burst.
    let later = secs(100);
    let allowed = (0..30)
        .filter(|_| guard.admit(later, phone) == Admission::Allow)
        .count();
    assert_eq!(allowed, 20);
}

#[test]
fn zero_rate_turns_limiting_off() {
    let mut guard = AuthGuard::new(GuardPolicy {
        max_requests_per_second: 0,
        ..GuardPolicy::default()
    });
    assert!((0..1000).all(|_| guard.admit(secs(0), ip("198.51.100.23")) == Admission::Allow));
}

#[test]
fn trusted_networks_are_never_banned_nor_limited() {
    let mut guard = AuthGuard::new(GuardPolicy {
        trusted: vec![
            "192.0.2.0/24".parse().unwrap(),
            "2001:db8::/32".parse().unwrap(),
        ],
        ..GuardPolicy::default()
    });
    for trunk in [
        ip("192.0.2.10"),
        ip("::ffff:192.0.2.11"),
        ip("2001:db8::5060"),
    ] {
        for _ in 0..100 {
            assert_eq!(guard.failed(secs(0), trunk, "trunk"), None);
        }
        assert!((0..100).all(|_| guard.admit(secs(0), trunk) == Admission::Allow));
    }
    let outsider = ip("192.0.3.10");
    let bans = (0..5)
        .filter_map(|_| guard.failed(secs(0), outsider, "x"))
        .count();
    assert_eq!(bans, 1);
}

#[test]
fn ipv4_mapped_addresses_share_the_ipv4_sources_state() {
    let mut guard = guard();
    for _ in 0..4 {
        guard.failed(secs(0), ip("203.0.113.9"), "x");
    }
    let ban = guard
        .failed(secs(0), ip("::ffff:203.0.113.9"), "x")
        .unwrap();
    assert_eq!(ban.source, ip("203.0.113.9"));
}

#[test]
fn long_usernames_are_cut_for_the_log() {
    let mut guard = guard();
    let mut ban = None;
    for _ in 0..5 {
        ban = guard.failed(secs(0), ip("203.0.113.10"), &"é".repeat(100));
    }
    let ban = ban.unwrap();
    assert_eq!(ban.usernames, vec!["é".repeat(16)]);
}

#[test]
fn memory_stays_bounded_under_a_flood_of_sources_and_bans_hold() {
    let mut guard = AuthGuard::new(GuardPolicy {
        max_sources: 1000,
        ..GuardPolicy::default()
    });
    let scanner = ip("203.0.113.11");
    for _ in 0..5 {
        guard.failed(secs(0), scanner, "x");
    }
    for i in 0..100_000u32 {
        let source = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + i));
        let now = secs(1) + Duration::from_micros(u64::from(i));
        guard.admit(now, source);
        guard.failed(now, source, "guess");
        assert!(guard.tracked_sources() <= 1000);
    }
    assert_eq!(
        guard.admit(secs(2), scanner),
        Admission::Banned { until: secs(600) }
    );
    // The most recent sources are the ones remembered.
    let recent = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + 99_999));
    for _ in 0..3 {
        guard.failed(secs(2), recent, "guess");
    }
    assert!(guard.failed(secs(2), recent, "guess").is_some());
}

#[test]
fn ban_table_is_bounded_too() {
    let mut guard = AuthGuard::new(GuardPolicy {
        max_failures: 1,
        max_sources: 100,
        ..GuardPolicy::default()
    });
    for i in 0..10_000u32 {
        let source = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + i));
        assert!(guard.failed(secs(u64::from(i)), source, "x").is_some());
        assert!(guard.bans_held() <= 100);
    }
}
