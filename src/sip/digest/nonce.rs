//! Server nonces: stateless to issue, and the one piece of state verifying
//! them needs, the highest nonce-count accepted per nonce in use.
//!
//! A nonce is hex of `issued (i64 ms, big-endian) ‖ entropy (16 bytes) ‖
//! HMAC-SHA256(key, realm ‖ issued ‖ entropy) truncated to 16 bytes`. The MAC
//! makes forgery and tampering detectable and the issue time makes expiry
//! checkable without remembering anything about nonces handed out.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

const ISSUED_LEN: usize = 8;
const ENTROPY_LEN: usize = 16;
/// 128 bits of MAC: forging one is as hard as guessing a 128-bit key.
const MAC_LEN: usize = 16;
const NONCE_BYTES: usize = ISSUED_LEN + ENTROPY_LEN + MAC_LEN;

/// What identifies a nonce we issued. Ordered by issue time first, so the
/// oldest nonce in a table is its first entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct NonceId {
    issued_ms: i64,
    entropy: [u8; ENTROPY_LEN],
}

/// Issues the nonce for `issued` and `entropy`.
pub(super) fn issue(
    key: &[u8; 32],
    realm: &str,
    issued: DateTime<Utc>,
    entropy: [u8; ENTROPY_LEN],
) -> String {
    let id = NonceId {
        issued_ms: issued.timestamp_millis(),
        entropy,
    };
    let mut bytes = Vec::with_capacity(NONCE_BYTES);
    bytes.extend_from_slice(&id.issued_ms.to_be_bytes());
    bytes.extend_from_slice(&id.entropy);
    bytes.extend_from_slice(&mac(key, realm, &id).finalize().into_bytes()[..MAC_LEN]);
    hex::encode(bytes)
}

/// Opens a nonce a client sent back: `None` unless we issued it for this
/// realm with this key (the MAC is checked in constant time).
pub(super) fn open(key: &[u8; 32], realm: &str, nonce: &str) -> Option<NonceId> {
    if nonce.len() != NONCE_BYTES * 2 {
        return None;
    }
    let bytes = hex::decode(nonce).ok()?;
    let (issued, rest) = bytes.split_first_chunk::<ISSUED_LEN>()?;
    let (entropy, tag) = rest.split_first_chunk::<ENTROPY_LEN>()?;
    let id = NonceId {
        issued_ms: i64::from_be_bytes(*issued),
        entropy: *entropy,
    };
    mac(key, realm, &id).verify_truncated_left(tag).ok()?;
    Some(id)
}

fn mac(key: &[u8; 32], realm: &str, id: &NonceId) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    // The realm's length goes first so that realm and issue time cannot be
    // shifted into each other.
    mac.update(&(realm.len() as u64).to_be_bytes());
    mac.update(realm.as_bytes());
    mac.update(&id.issued_ms.to_be_bytes());
    mac.update(&id.entropy);
    mac
}

impl NonceId {
    pub(super) fn issued_ms(&self) -> i64 {
        self.issued_ms
    }
}

/// What the count table says about one use of a nonce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Count {
    /// The count is higher than any accepted before: now recorded.
    Fresh,
    /// The count was seen already (or a lower one after a higher): a replay.
    Replayed,
    /// The nonce may have been tracked and evicted, so a replay cannot be
    /// ruled out: the client must take a new nonce.
    Forgotten,
}

/// The highest nonce-count accepted per nonce, bounded in size.
///
/// Entries are only ever removed from the oldest end, and `horizon` is the
/// newest nonce ever removed. A nonce older than the horizon that is not in
/// the table may have been evicted, so it answers [`Count::Forgotten`]; one
/// newer than the horizon was never removed, so its absence means first use.
#[derive(Debug)]
pub(super) struct NonceCounts {
    highest: BTreeMap<NonceId, u32>,
    horizon: Option<NonceId>,
    capacity: usize,
}

impl NonceCounts {
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            highest: BTreeMap::new(),
            horizon: None,
            capacity: capacity.max(1),
        }
    }

    /// Records `nc` for `id` if it is higher than any accepted before.
    /// Nonces issued before `expired_before_ms` are dropped first when room
    /// is needed, as they can no longer be accepted anyway.
    pub(super) fn accept(&mut self, id: NonceId, nc: u32, expired_before_ms: i64) -> Count {
        if let Some(highest) = self.highest.get_mut(&id) {
            if nc <= *highest {
                return Count::Replayed;
            }
            *highest = nc;
            return Count::Fresh;
        }
        if self.horizon.is_some_and(|horizon| id <= horizon) {
            return Count::Forgotten;
        }
        self.drop_oldest_while(|oldest, len, capacity| {
            oldest.issued_ms < expired_before_ms || len >= capacity
        });
        self.highest.insert(id, nc);
        Count::Fresh
    }

    pub(super) fn len(&self) -> usize {
        self.highest.len()
    }

    fn drop_oldest_while(&mut self, mut drop: impl FnMut(&NonceId, usize, usize) -> bool) {
        while let Some((&oldest, _)) = self.highest.first_key_value() {
            if !drop(&oldest, self.highest.len(), self.capacity) {
                break;
            }
            self.highest.remove(&oldest);
            self.horizon = Some(self.horizon.map_or(oldest, |h| h.max(oldest)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];

    fn at(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(ms).unwrap()
    }

    #[test]
    fn issued_nonce_opens_only_with_its_key_and_realm() {
        let nonce = issue(&KEY, "sip.example.com", at(1_700_000_000_000), [1; 16]);
        let id = open(&KEY, "sip.example.com", &nonce).unwrap();
        assert_eq!(id.issued_ms(), 1_700_000_000_000);
        assert_eq!(open(&[8; 32], "sip.example.com", &nonce), None);
        assert_eq!(open(&KEY, "other.example.com", &nonce), None);
    }

    #[test]
    fn any_flipped_character_makes_the_nonce_unopenable() {
        let nonce = issue(&KEY, "r", at(1_700_000_000_000), [9; 16]);
        for i in 0..nonce.len() {
            let mut tampered = nonce.clone().into_bytes();
            tampered[i] = if tampered[i] == b'0' { b'1' } else { b'0' };
            let tampered = String::from_utf8(tampered).unwrap();
            assert_eq!(open(&KEY, "r", &tampered), None, "position {i}");
        }
        assert_eq!(open(&KEY, "r", ""), None);
        assert_eq!(open(&KEY, "r", &"zz".repeat(40)), None);
    }

    #[test]
    fn counts_must_rise_per_nonce() {
        let mut counts = NonceCounts::new(10);
        let id = open(&KEY, "r", &issue(&KEY, "r", at(1000), [1; 16])).unwrap();
        assert_eq!(counts.accept(id, 1, 0), Count::Fresh);
        assert_eq!(counts.accept(id, 1, 0), Count::Replayed);
        assert_eq!(counts.accept(id, 3, 0), Count::Fresh);
        assert_eq!(counts.accept(id, 2, 0), Count::Replayed);
    }

    #[test]
    fn table_stays_bounded_and_evicted_nonces_are_forgotten() {
        let mut counts = NonceCounts::new(3);
        let ids: Vec<NonceId> = (0..5)
            .map(|i| open(&KEY, "r", &issue(&KEY, "r", at(1000 + i), [i as u8; 16])).unwrap())
            .collect();
        for &id in &ids {
            assert_eq!(counts.accept(id, 1, 0), Count::Fresh);
            assert!(counts.len() <= 3);
        }
        assert_eq!(counts.accept(ids[0], 2, 0), Count::Forgotten);
        assert_eq!(counts.accept(ids[4], 2, 0), Count::Fresh);
    }

    #[test]
    fn expired_entries_make_room_before_live_ones() {
        let mut counts = NonceCounts::new(2);
        let old = open(&KEY, "r", &issue(&KEY, "r", at(1000), [1; 16])).unwrap();
        let live = open(&KEY, "r", &issue(&KEY, "r", at(5000), [2; 16])).unwrap();
        let newer = open(&KEY, "r", &issue(&KEY, "r", at(6000), [3; 16])).unwrap();
        counts.accept(old, 1, 0);
        counts.accept(live, 1, 0);
        assert_eq!(counts.accept(newer, 1, 2000), Count::Fresh);
        assert_eq!(counts.accept(live, 2, 2000), Count::Fresh);
    }
}
