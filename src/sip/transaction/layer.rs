//! [`TransactionLayer`]: the table of transactions and the inputs the TU
//! and the driver's clock give it. Inputs from the network are in
//! `receive.rs`.

use std::collections::{HashMap, VecDeque};
use std::time::Instant;

use rand::{Rng, SeedableRng};

use super::super::message::{self, Method, ParseError, Request, Response, SipMessage};
use super::client::{ClientState, ClientTransaction};
use super::key::{AckKey, ClientKey, ServerKey};
use super::server::{ServerState, ServerTransaction};
use super::timers::{Schedule, TimerTable};
use super::{
    ClientTx, Config, Core, Counters, Event, Flow, Output, ServerTx, Step, TransactionError, TxId,
};

/// All transactions of one SIP endpoint.
pub struct TransactionLayer {
    pub(super) config: Config,
    pub(super) core: Core,
    /// Boxed: a transaction is most of a kilobyte, and a table holding a
    /// hundred thousand of them inline moved and page-faulted some 70 MB
    /// each time it doubled, stalling every call for up to 110 ms (measured
    /// at 1,250 calls/s). Boxed, a doubling moves 16 bytes an entry.
    pub(super) clients: HashMap<ClientTx, Box<ClientTransaction>>,
    pub(super) servers: HashMap<ServerTx, Box<ServerTransaction>>,
    pub(super) client_keys: HashMap<ClientKey, ClientTx>,
    pub(super) server_keys: HashMap<ServerKey, ServerTx>,
    /// INVITE server transactions in Accepted, by what their 2xx's ACK
    /// carries (the ACK has a branch of its own).
    pub(super) accepted: HashMap<AckKey, ServerTx>,
    /// Server transactions that have sent their final response and only
    /// linger (up to 64*T1 on UDP) to absorb retransmissions. They are cheap
    /// and do not count against the cap, or a steady 160 calls/s would fill
    /// 10,000 places with finished work (measured with SIPp).
    pub(super) answered: usize,
    /// Server transactions in the order they were answered, the oldest
    /// first: the ones let go when the bound on all of them is reached.
    /// Ids of transactions already gone are skipped and dropped.
    answered_order: VecDeque<ServerTx>,
    next_id: u64,
    /// For the To tags of the responses the layer makes itself (481, 503,
    /// the 200 to a CANCEL); seeded by the caller, never from the system.
    tags: rand::rngs::StdRng,
}

/// How many server transactions in all, answered ones included, per place
/// of the cap on unanswered ones: a bound on memory. An answered transaction
/// keeps its key, flow, timers and at most its last response (the request
/// goes with the final answer, the response with the ACK), and on UDP it
/// lingers 64*T1 = 32 s: each call leaves two (the INVITE's and the BYE's),
/// so 2,000 calls/s keep 128,000, and the server's resident memory measured
/// 680 MB at that rate. At the bound the oldest answered one is let go (see
/// [`TransactionLayer::server_room`]).
const ANSWERED_PER_PENDING: usize = 20;

/// The most transactions of each kind the tables are sized for up front
/// (see [`TransactionLayer::new`]); past it they grow as needed.
const MOST_ROOM: usize = 1 << 18;

impl TransactionLayer {
    /// Whether a new server transaction may start: unanswered ones are
    /// capped (past the cap the server is overloaded and says 503). All of
    /// them are bounded far higher, for memory; at that bound the oldest
    /// answered transaction is let go to make room, rather than a request
    /// refused. An answered transaction only waits to answer a
    /// retransmission, and retransmissions come early (T1, 2*T1, ...), so
    /// the oldest is the one least likely to be needed: if one does come
    /// for it, it is taken as a new request. Before this, a steady 6,250
    /// REGISTERs a second (one answered transaction each, 32 s) filled the
    /// bound of 200,000 and were refused past it.
    pub(super) fn server_room(&mut self) -> bool {
        let pending = self.servers.len().saturating_sub(self.answered);
        if pending >= self.config.max_server_transactions {
            return false;
        }
        let bound = self
            .config
            .max_server_transactions
            .saturating_mul(ANSWERED_PER_PENDING);
        while self.servers.len() >= bound {
            let Some(oldest) = self.answered_order.pop_front() else {
                return false;
            };
            if self.servers.contains_key(&oldest) {
                self.core.counters.let_go += 1;
                self.finish_server(oldest);
            }
        }
        true
    }

    /// Counts `id` as answered: it only lingers from now on.
    pub(super) fn answered_now(&mut self, id: ServerTx) {
        self.answered += 1;
        self.answered_order.push_back(id);
        // Drop the front ids whose transactions ended on their own, so the
        // queue holds little more than the answered transactions there are.
        while let Some(front) = self.answered_order.front()
            && !self.servers.contains_key(front)
        {
            self.answered_order.pop_front();
        }
    }

    /// A layer with no transactions; `seed` feeds the To tags it makes.
    ///
    /// The tables are sized for the bound on server transactions up front.
    /// Growing them as load rises doubled a table of tens of thousands of
    /// keys at a time, rehashing every key while calls waited: stalls of
    /// 10-30 ms, the slowest call setups at 1,250 calls/s. Capacity not yet
    /// used is address space, not memory, until entries fill it.
    pub fn new(config: Config, seed: u64) -> Self {
        let room = config
            .max_server_transactions
            .saturating_mul(ANSWERED_PER_PENDING)
            .min(MOST_ROOM);
        TransactionLayer {
            config,
            core: Core {
                timers: config.timers,
                // Entries stay until their deadline even when stopped (see
                // timers.rs), and a call's transactions leave about eight
                // that last 64*T1, so four per transaction: at 1,500
                // calls/s twice that filled after 35 s and the heap's
                // doubling stalled calls for 20 ms.
                schedule: Schedule::with_capacity(room.saturating_mul(4)),
                outputs: VecDeque::new(),
                counters: Counters::default(),
            },
            clients: HashMap::with_capacity(room),
            servers: HashMap::with_capacity(room),
            client_keys: HashMap::with_capacity(room),
            server_keys: HashMap::with_capacity(room),
            answered: 0,
            answered_order: VecDeque::with_capacity(room),
            accepted: HashMap::with_capacity(room / 2),
            next_id: 0,
            tags: rand::rngs::StdRng::seed_from_u64(seed),
        }
    }

    /// Starts a client transaction for `request`, whose top Via already
    /// carries a fresh branch (see [`new_branch`]); the request is sent as
    /// it is, at once, and retransmitted as §17.1 says.
    pub fn send_request(
        &mut self,
        now: Instant,
        request: Request,
        flow: Flow,
    ) -> Result<ClientTx, TransactionError> {
        let id = ClientTx(self.next_id());
        self.start_client(id, request, flow, now)?;
        self.settle();
        Ok(id)
    }

    /// Sends a message outside any transaction: the ACK of a 2xx, or a 2xx
    /// the TU re-sends itself.
    pub fn send_stateless(&mut self, flow: Flow, message: SipMessage) {
        let bytes = match message {
            SipMessage::Request(r) => r.to_bytes(),
            SipMessage::Response(r) => r.to_bytes(),
        };
        self.core.transmit(flow, bytes);
    }

    /// Sends the TU's response in server transaction `tx`.
    pub fn respond(
        &mut self,
        now: Instant,
        tx: ServerTx,
        response: Response,
    ) -> Result<(), TransactionError> {
        let transaction = self
            .servers
            .get_mut(&tx)
            .ok_or(TransactionError::UnknownTransaction)?;
        let was_pending = transaction.state.is_pending();
        let step = transaction.respond(response, now, &mut self.core)?;
        let now_answered = was_pending && !transaction.state.is_pending();
        if transaction.state == ServerState::Accepted
            && let Some(key) = &transaction.ack_key
        {
            self.accepted.insert(key.clone(), tx);
        }
        if now_answered {
            self.answered_now(tx);
        }
        if step == Step::Done {
            self.finish_server(tx);
        }
        self.settle();
        Ok(())
    }

    /// Answers a non-INVITE request with a final response and forgets it at
    /// once, as a stateless UAS would (RFC 3261 §8.2.7): a retransmission is
    /// then a new request and is answered afresh. For answers that are safe
    /// and cheap to give again, such as a registrar's digest challenge,
    /// which would otherwise hold a transaction for 64×T1 (32 s) on UDP: at
    /// thousands of REGISTERs a second those filled the transaction table.
    /// An INVITE, or a provisional response, is answered statefully.
    pub fn respond_statelessly(
        &mut self,
        now: Instant,
        tx: ServerTx,
        response: Response,
    ) -> Result<(), TransactionError> {
        let invite = self
            .servers
            .get(&tx)
            .ok_or(TransactionError::UnknownTransaction)?
            .is_invite();
        let provisional = response.status_code.code() < 200;
        self.respond(now, tx, response)?;
        if !invite && !provisional {
            self.finish_server(tx);
        }
        Ok(())
    }

    /// Cancels the pending INVITE `invite` (RFC 3261 §9.1) with a CANCEL
    /// built from it, in a client transaction of its own, whose handle is
    /// returned. Before any provisional response the CANCEL is held back
    /// until one comes; if a final response comes first, the CANCEL is
    /// never sent and its handle terminates.
    pub fn cancel(&mut self, now: Instant, invite: ClientTx) -> Result<ClientTx, TransactionError> {
        let transaction = self
            .clients
            .get_mut(&invite)
            .ok_or(TransactionError::UnknownTransaction)?;
        if !transaction.is_invite() {
            return Err(TransactionError::NotAnInvite);
        }
        let pending = matches!(
            transaction.state,
            ClientState::Calling | ClientState::Proceeding
        );
        if !pending || transaction.cancelled {
            return Err(TransactionError::NotCancellable);
        }
        transaction.cancelled = true;
        let cancel = message::cancel_for(&transaction.request);
        let id = ClientTx(self.next_id());
        self.hold_or_send_cancel(invite, id, cancel, now);
        self.settle();
        Ok(id)
    }

    /// The driver could not deliver on `flow` (a stream closed, a send
    /// failed): every transaction on it ends with [`Event::TransportError`].
    pub fn flow_failed(&mut self, flow: Flow) {
        let on_flow = |f: &Flow| match (f.connection, flow.connection) {
            (Some(a), Some(b)) => a == b,
            (None, None) => f.transport == flow.transport && f.remote == flow.remote,
            _ => false,
        };
        let clients: Vec<ClientTx> = (self.clients.iter())
            .filter(|(_, tx)| on_flow(&tx.flow))
            .map(|(id, _)| *id)
            .collect();
        let servers: Vec<ServerTx> = (self.servers.iter())
            .filter(|(_, tx)| on_flow(&tx.flow))
            .map(|(id, _)| *id)
            .collect();
        for id in clients {
            self.core.event(Event::TransportError {
                tx: TxId::Client(id),
            });
            self.finish_client(id);
        }
        for id in servers {
            self.core.event(Event::TransportError {
                tx: TxId::Server(id),
            });
            self.finish_server(id);
        }
        self.settle();
    }

    /// Fires every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some((deadline, id, timer)) = self.core.schedule.pop_due(now) {
            match id {
                TxId::Client(id) => {
                    let Some(tx) = self.clients.get_mut(&id) else {
                        continue;
                    };
                    if tx.take_due(timer, deadline) {
                        let step = tx.on_timer(timer, now, &mut self.core);
                        self.after_client(id, step, now);
                    }
                }
                TxId::Server(id) => {
                    let Some(tx) = self.servers.get_mut(&id) else {
                        continue;
                    };
                    if tx.take_due(timer, deadline)
                        && tx.on_timer(timer, now, &mut self.core) == Step::Done
                    {
                        self.finish_server(id);
                    }
                }
            }
        }
        self.settle();
    }

    /// The earliest armed deadline, if any transaction has one.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.core.schedule.earliest()
    }

    pub fn poll_output(&mut self) -> Option<Output> {
        self.core.outputs.pop_front()
    }

    /// Live transactions, client and server.
    pub fn len(&self) -> usize {
        self.clients.len() + self.servers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn counters(&self) -> Counters {
        self.core.counters
    }

    /// Entries in the timer heap, stale ones included.
    #[cfg(test)]
    pub(super) fn scheduled(&self) -> usize {
        self.core.schedule.len()
    }

    pub(super) fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub(super) fn fresh_tag(&mut self) -> String {
        format!("{:016x}", self.tags.random::<u64>())
    }

    fn start_client(
        &mut self,
        id: ClientTx,
        request: Request,
        flow: Flow,
        now: Instant,
    ) -> Result<(), TransactionError> {
        if request.method == Method::Ack {
            return Err(TransactionError::AckIsNotATransaction);
        }
        let essentials = message::essentials_of(&request.headers)?;
        if essentials.method != request.method {
            return Err(ParseError::CSeqMismatch {
                cseq: essentials.method.to_string(),
                method: request.method.to_string(),
            }
            .into());
        }
        let key = ClientKey::of(&essentials).ok_or(TransactionError::MissingBranch)?;
        if self.client_keys.contains_key(&key) {
            return Err(TransactionError::DuplicateBranch);
        }
        let tx = ClientTransaction::start(id, key.clone(), request, flow, now, &mut self.core);
        self.client_keys.insert(key, id);
        self.clients.insert(id, Box::new(tx));
        Ok(())
    }

    /// Sends the CANCEL `id` for `invite` now if a provisional response
    /// came, or holds it in the INVITE transaction until one does.
    fn hold_or_send_cancel(
        &mut self,
        invite: ClientTx,
        id: ClientTx,
        cancel: Request,
        now: Instant,
    ) {
        let Some(tx) = self.clients.get_mut(&invite) else {
            return;
        };
        if tx.state == ClientState::Calling {
            tx.held_cancel = Some((id, cancel));
            return;
        }
        tx.await_cancelled(now, &mut self.core);
        let flow = tx.flow;
        if self.start_client(id, cancel, flow, now).is_err() {
            // The TU sent a CANCEL of its own already: this one is moot.
            self.core.event(Event::Terminated {
                tx: TxId::Client(id),
            });
        }
    }

    /// Follows up a client transaction's step: removes it when done, and
    /// releases or drops a CANCEL held for a provisional response.
    pub(super) fn after_client(&mut self, id: ClientTx, step: Step, now: Instant) {
        if step == Step::Done {
            self.finish_client(id);
            return;
        }
        let Some(tx) = self.clients.get_mut(&id) else {
            return;
        };
        let Some((cancel_id, cancel)) = tx.held_cancel.take() else {
            return;
        };
        match tx.state {
            ClientState::Calling => tx.held_cancel = Some((cancel_id, cancel)),
            ClientState::Proceeding => self.hold_or_send_cancel(id, cancel_id, cancel, now),
            _ => self.core.event(Event::Terminated {
                tx: TxId::Client(cancel_id),
            }),
        }
    }

    pub(super) fn finish_client(&mut self, id: ClientTx) {
        let Some(tx) = self.clients.remove(&id) else {
            return;
        };
        if self.client_keys.get(&tx.key) == Some(&id) {
            self.client_keys.remove(&tx.key);
        }
        if let Some((cancel_id, _)) = tx.held_cancel {
            self.core.event(Event::Terminated {
                tx: TxId::Client(cancel_id),
            });
        }
        self.core.event(Event::Terminated {
            tx: TxId::Client(id),
        });
    }

    pub(super) fn finish_server(&mut self, id: ServerTx) {
        let Some(tx) = self.servers.remove(&id) else {
            return;
        };
        if !tx.state.is_pending() {
            self.answered = self.answered.saturating_sub(1);
        }
        if self.server_keys.get(&tx.key) == Some(&id) {
            self.server_keys.remove(&tx.key);
        }
        if let Some(key) = &tx.ack_key
            && self.accepted.get(key) == Some(&id)
        {
            self.accepted.remove(key);
        }
        self.core.event(Event::Terminated {
            tx: TxId::Server(id),
        });
    }

    /// Drops stale heap entries so that [`Self::poll_timeout`] names a
    /// deadline that will fire; called at the end of every input.
    pub(super) fn settle(&mut self) {
        let (clients, servers) = (&self.clients, &self.servers);
        self.core.schedule.prune(|deadline, id, timer| {
            let table: Option<&TimerTable> = match id {
                TxId::Client(id) => clients.get(&id).map(|tx| tx.timers()),
                TxId::Server(id) => servers.get(&id).map(|tx| tx.timers()),
            };
            table.is_some_and(|t| t.get(timer) == Some(deadline))
        });
    }
}
