//! What comes in from the network: requests find or start their server
//! transaction, ACKs and CANCELs take their special paths (RFC 3261
//! §17.2.3, §9.2, RFC 6026 §7.1), responses find their client transaction.

use std::time::Instant;

use super::super::message::{
    self, Checked, Essentials, Header, Method, Request, Response, SipMessage, StatusCode,
};
use super::key::{AckKey, ClientKey, ServerKey};
use super::server::ServerTransaction;
use super::{Event, Flow, ServerTx, Step, TransactionLayer};

impl TransactionLayer {
    /// A message the driver read from `flow` and parsed with
    /// [`message::parse`].
    pub fn receive(&mut self, now: Instant, checked: Checked, flow: Flow) {
        let Checked {
            message,
            essentials,
        } = checked;
        match message {
            SipMessage::Response(response) => self.on_response(now, response, &essentials, flow),
            SipMessage::Request(request) => match request.method {
                Method::Ack => self.on_ack(now, request, &essentials, flow),
                Method::Cancel => self.on_cancel(now, request, &essentials, flow),
                _ => self.on_request(now, request, &essentials, flow),
            },
        }
        self.settle();
    }

    fn on_response(&mut self, now: Instant, response: Response, e: &Essentials, flow: Flow) {
        let found = ClientKey::of(e).and_then(|key| self.client_keys.get(&key).copied());
        let Some((id, tx)) = found.and_then(|id| Some((id, self.clients.get_mut(&id)?))) else {
            self.core.counters.stray_responses += 1;
            self.core.event(Event::StrayResponse { response, flow });
            return;
        };
        let step = tx.on_response(response, now, &mut self.core);
        self.after_client(id, step, now);
    }

    /// A request other than ACK and CANCEL: a retransmission is absorbed,
    /// a new one starts a transaction and goes to the TU.
    fn on_request(&mut self, now: Instant, request: Request, e: &Essentials, flow: Flow) {
        let key = ServerKey::of(e);
        if self.absorb_retransmission(&key) {
            return;
        }
        if !self.server_room() {
            self.reject_overload(&request, flow);
            return;
        }
        let id = self.start_server(key, &request, e, flow, now);
        self.core.event(Event::Request {
            tx: id,
            request,
            flow,
        });
    }

    /// The ACK of a non-2xx final ends its INVITE transaction's wait; the
    /// ACK of a 2xx (a transaction of its own, matched within the dialog)
    /// stops the 2xx retransmissions and goes up, as does any ACK no
    /// transaction claims.
    fn on_ack(&mut self, now: Instant, request: Request, e: &Essentials, flow: Flow) {
        let by_branch = self.server_keys.get(&ServerKey::of(e)).copied();
        let id = by_branch.or_else(|| self.accepted.get(&AckKey::of(e)).copied());
        let pass_up = match id.and_then(|id| Some((id, self.servers.get_mut(&id)?))) {
            Some((id, tx)) => {
                let (step, pass_up) = tx.on_ack(now, &mut self.core);
                if step == Step::Done {
                    self.finish_server(id);
                }
                pass_up
            }
            None => true,
        };
        if pass_up {
            self.core.event(Event::Ack { request, flow });
        }
    }

    /// A CANCEL is answered here (RFC 3261 §9.2): 200 if it names an INVITE
    /// server transaction, and the TU hears of it only while that INVITE
    /// awaits its final response; 481 if it names none.
    fn on_cancel(&mut self, now: Instant, request: Request, e: &Essentials, flow: Flow) {
        let key = ServerKey::of(e);
        if self.absorb_retransmission(&key) {
            return;
        }
        let invite = (self.server_keys.get(&key.with_method(Method::Invite)))
            .and_then(|id| self.servers.get(id));
        let (status, to_tag, cancelled) = match invite {
            Some(invite) if !invite.is_answered() => {
                (StatusCode::OK, invite.to_tag.clone(), Some(invite.id))
            }
            Some(invite) => (StatusCode::OK, invite.to_tag.clone(), None),
            None => (StatusCode::CallTransactionDoesNotExist, None, None),
        };
        // One CANCEL per live INVITE may pass the cap; others may not.
        if invite.is_none() && !self.server_room() {
            self.reject_overload(&request, flow);
            return;
        }
        let to_tag = to_tag.unwrap_or_else(|| self.fresh_tag());
        let id = self.start_server(key, &request, e, flow, now);
        let response = message::response_to(&request, status, Some(&to_tag));
        let step = self
            .servers
            .get_mut(&id)
            .and_then(|tx| tx.respond(response, now, &mut self.core).ok());
        if step.is_some() {
            self.answered_now(id); // answered at once: it only lingers now
        }
        if step == Some(Step::Done) {
            self.finish_server(id);
        }
        if let Some(invite) = cancelled {
            self.core.event(Event::Cancelled { invite });
        }
    }

    /// Whether a transaction under `key` exists and took the request as a
    /// retransmission.
    fn absorb_retransmission(&mut self, key: &ServerKey) -> bool {
        let tx = (self.server_keys.get(key)).and_then(|id| self.servers.get_mut(id));
        let Some(tx) = tx else {
            return false;
        };
        tx.on_retransmission(&mut self.core);
        true
    }

    fn start_server(
        &mut self,
        key: ServerKey,
        request: &Request,
        e: &Essentials,
        flow: Flow,
        now: Instant,
    ) -> ServerTx {
        let id = ServerTx(self.next_id());
        let tx = ServerTransaction::start(
            id,
            key.clone(),
            request,
            AckKey::of(e),
            flow,
            now,
            &mut self.core,
        );
        self.server_keys.insert(key, id);
        self.servers.insert(id, Box::new(tx));
        id
    }

    /// Past the cap: 503 with Retry-After, sent without keeping any state
    /// (a retransmission simply gets another 503).
    fn reject_overload(&mut self, request: &Request, flow: Flow) {
        self.core.counters.rejected_overload += 1;
        let tag = self.fresh_tag();
        let mut response =
            message::response_to(request, StatusCode::ServiceUnavailable, Some(&tag));
        let seconds = self.config.retry_after.as_secs().to_string();
        response.headers.push(Header::RetryAfter(
            rsipstack::sip::headers::untyped::RetryAfter::new(seconds),
        ));
        self.core.transmit(flow, response.to_bytes());
    }
}
