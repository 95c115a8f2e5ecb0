//! How a message finds its transaction (RFC 3261 §17.1.3, §17.2.3).
//!
//! A response belongs to the client transaction whose request carried the
//! same top-Via branch and the same method (its CSeq method), so a CANCEL
//! and the INVITE it cancels, which share a branch, stay apart.
//!
//! A request belongs to the server transaction with the same branch,
//! sent-by and method, where an ACK counts as an INVITE: that is how the
//! ACK of a non-2xx final reaches its INVITE transaction. A CANCEL has its
//! own transaction; the INVITE it cancels is found under the same branch
//! and sent-by with method INVITE.
//!
//! Requests from RFC 2543 peers carry no `z9hG4bK` branch. Rather than the
//! full §17.2.3 fallback (Request-URI, To tag, From tag, Call-ID, CSeq and
//! top Via compared on every lookup) they are keyed by Call-ID, CSeq
//! number, From tag, sent-by and method. That absorbs their
//! retransmissions and matches their ACKs and CANCELs, which repeat all
//! five; it leaves out the Request-URI and To-tag checks, which only tell
//! apart requests that a proxy spiralled back to us, which a B2BUA at the
//! edge does not see.

use super::super::message::{Essentials, Method};

/// RFC 3261 §8.1.1.7: a branch starting with this was made unique by an
/// RFC 3261 element.
pub const MAGIC_COOKIE: &str = "z9hG4bK";

/// A client transaction's key: top-Via branch and method.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct ClientKey {
    branch: String,
    method: Method,
}

impl ClientKey {
    /// The key of a request we send or of a response to one; `None` when
    /// the top Via has no branch (no request of ours lacks one).
    pub fn of(essentials: &Essentials) -> Option<Self> {
        Some(ClientKey {
            branch: essentials.branch.clone()?,
            method: essentials.method,
        })
    }
}

/// A server transaction's key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum ServerKey {
    Branch {
        branch: String,
        sent_by: String,
        method: Method,
    },
    Rfc2543 {
        call_id: String,
        cseq: u32,
        from_tag: Option<String>,
        sent_by: String,
        method: Method,
    },
}

impl ServerKey {
    /// The key of the transaction a request belongs to (an ACK's is its
    /// INVITE's).
    pub fn of(essentials: &Essentials) -> Self {
        let method = match essentials.method {
            Method::Ack => Method::Invite,
            other => other,
        };
        // Hosts are case-insensitive (RFC 3261 §19.1.4); the rest is
        // compared as sent, which is what a retransmission repeats.
        let sent_by = essentials.sent_by.to_ascii_lowercase();
        match &essentials.branch {
            Some(branch) if branch.starts_with(MAGIC_COOKIE) => ServerKey::Branch {
                branch: branch.clone(),
                sent_by,
                method,
            },
            _ => ServerKey::Rfc2543 {
                call_id: essentials.call_id.clone(),
                cseq: essentials.cseq,
                from_tag: essentials.from_tag.clone(),
                sent_by,
                method,
            },
        }
    }

    /// The same key for another method: a CANCEL's key with
    /// [`Method::Invite`] names the INVITE it cancels.
    pub fn with_method(&self, method: Method) -> Self {
        let mut key = self.clone();
        match &mut key {
            ServerKey::Branch { method: m, .. } | ServerKey::Rfc2543 { method: m, .. } => {
                *m = method
            }
        }
        key
    }
}

/// What an ACK for a 2xx shares with its INVITE: it is a new transaction
/// with a new branch (RFC 3261 §13.2.2.4), so it is matched within the
/// dialog by Call-ID, CSeq number and From tag.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct AckKey {
    call_id: String,
    cseq: u32,
    from_tag: Option<String>,
}

impl AckKey {
    pub fn of(essentials: &Essentials) -> Self {
        AckKey {
            call_id: essentials.call_id.clone(),
            cseq: essentials.cseq,
            from_tag: essentials.from_tag.clone(),
        }
    }
}

/// A new RFC 3261 branch from caller-supplied entropy: the magic cookie and
/// 128 bits in hex, so that branches are unique in space and time
/// (§8.1.1.7) without this module reading a random source.
pub fn new_branch(entropy: [u8; 16]) -> String {
    format!("{MAGIC_COOKIE}{}", hex::encode(entropy))
}
