//! The pacing gate every request of a client passes just before it is sent: first come, first
//! served, when [`Pacer`] allows. A permit is held for the whole request and dropped once its
//! reply has been read (or it failed), and that moment is the settle time the pacer counts from,
//! an upper bound of when the server saw the call.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};

use crate::web::client::timers::{monotonic_ms, sleep};
use cams_protocol::pacing::{Pacer, Slot};

#[derive(Clone)]
pub(crate) struct Gate {
    state: Rc<RefCell<State>>,
}

struct State {
    pacer: Pacer,
    queue: VecDeque<Rc<Ticket>>,
    /// A timer will call `pump` when the head of the queue may go.
    wake_scheduled: bool,
}

/// A place in the queue.
#[derive(Default)]
struct Ticket {
    granted: Cell<bool>,
    /// Taken by its caller, or given up (the wait was dropped).
    closed: Cell<bool>,
    waker: RefCell<Option<Waker>>,
}

impl Gate {
    pub(crate) fn new(max_qps: f64) -> Gate {
        Gate {
            state: Rc::new(RefCell::new(State {
                pacer: Pacer::new(max_qps),
                queue: VecDeque::new(),
                wake_scheduled: false,
            })),
        }
    }

    /// Joins the back of the queue now; resolves to a permit when the call may be sent.
    pub(crate) fn acquire(&self) -> Acquire {
        self.join(false)
    }

    /// Joins the front of the queue: for a credential refresh, which every queued call may
    /// need, so it must not wait behind them.
    pub(crate) fn acquire_first(&self) -> Acquire {
        self.join(true)
    }

    fn join(&self, first: bool) -> Acquire {
        let ticket = Rc::new(Ticket::default());
        {
            let mut s = self.state.borrow_mut();
            if first {
                s.queue.push_front(ticket.clone());
            } else {
                s.queue.push_back(ticket.clone());
            }
        }
        pump(&self.state);
        Acquire {
            state: self.state.clone(),
            ticket,
        }
    }
}

/// Lets queued calls through while the pacer and the in-flight limit allow, and otherwise
/// schedules itself for when the head of the queue may go.
fn pump(state: &Rc<RefCell<State>>) {
    let mut wakers = Vec::new();
    let mut wait_ms = None;
    {
        let mut s = state.borrow_mut();
        loop {
            while s.queue.front().is_some_and(|t| t.closed.get()) {
                s.queue.pop_front();
            }
            if s.queue.is_empty() {
                break;
            }
            let now = monotonic_ms();
            match s.pacer.next_slot(now) {
                Slot::Now => {}
                // A settle calls `pump` again.
                Slot::AfterSettle => break,
                Slot::At(at) => {
                    if !s.wake_scheduled {
                        s.wake_scheduled = true;
                        wait_ms = Some(at - now);
                    }
                    break;
                }
            }
            let Some(ticket) = s.queue.pop_front() else {
                break;
            };
            s.pacer.start();
            ticket.granted.set(true);
            wakers.extend(ticket.waker.borrow_mut().take());
        }
    }
    for w in wakers {
        w.wake();
    }
    if let Some(ms) = wait_ms {
        let weak: Weak<RefCell<State>> = Rc::downgrade(state);
        wasm_bindgen_futures::spawn_local(async move {
            sleep(ms).await;
            if let Some(state) = weak.upgrade() {
                state.borrow_mut().wake_scheduled = false;
                pump(&state);
            }
        });
    }
}

fn release(state: &Rc<RefCell<State>>, uncertain: bool) {
    {
        let mut s = state.borrow_mut();
        let now = monotonic_ms();
        if uncertain {
            s.pacer.settle_uncertain(now);
        } else {
            s.pacer.settle(now);
        }
    }
    pump(state);
}

/// Waiting for the gate. Dropping it gives up the place (or the permit, if already granted).
pub(crate) struct Acquire {
    state: Rc<RefCell<State>>,
    ticket: Rc<Ticket>,
}

impl Future for Acquire {
    type Output = Permit;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Permit> {
        if self.ticket.closed.get() {
            // Polled again after completing: never happens with `.await`.
            return Poll::Pending;
        }
        if self.ticket.granted.get() {
            self.ticket.closed.set(true);
            return Poll::Ready(Permit {
                state: self.state.clone(),
                uncertain: false,
            });
        }
        *self.ticket.waker.borrow_mut() = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl Drop for Acquire {
    fn drop(&mut self) {
        if self.ticket.closed.replace(true) {
            return;
        }
        if self.ticket.granted.get() {
            // Granted but never taken: settled now, as if it had been sent.
            release(&self.state, false);
        }
    }
}

/// One call in flight; dropping it once the reply is read settles the call.
pub(crate) struct Permit {
    state: Rc<RefCell<State>>,
    uncertain: bool,
}

impl Permit {
    /// Settles a call that got no reply (timed out, connection lost): it may still reach the
    /// server, so its slot stays taken for another window ([`Pacer::settle_uncertain`]).
    pub(crate) fn settle_without_reply(mut self) {
        self.uncertain = true;
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        release(&self.state, self.uncertain);
    }
}
