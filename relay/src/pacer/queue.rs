//! This relay's calls waiting for a pacing slot, by client: each waiter is a channel its call
//! listens on, and a call that went away (its caller timed out or disconnected) leaves a closed
//! channel, which is skipped.

use std::collections::{HashMap, VecDeque};

use tokio::sync::oneshot;

use super::backend::ClientKey;

/// Waiting calls by client, clients in order of arrival.
#[derive(Debug)]
pub struct FairQueue<T> {
    by_client: HashMap<ClientKey, VecDeque<oneshot::Sender<T>>>,
    /// Clients with waiters, the longest waiting first (ties in fairness go to it).
    order: Vec<ClientKey>,
    len: usize,
}

impl<T> Default for FairQueue<T> {
    fn default() -> Self {
        FairQueue {
            by_client: HashMap::new(),
            order: Vec::new(),
            len: 0,
        }
    }
}

impl<T> FairQueue<T> {
    /// Queues a call of `client`; its answer comes on the returned channel.
    pub fn push(&mut self, client: ClientKey) -> oneshot::Receiver<T> {
        let (tx, rx) = oneshot::channel();
        let waiters = self.by_client.entry(client.clone()).or_default();
        if waiters.is_empty() {
            self.order.push(client);
        }
        waiters.push_back(tx);
        self.len += 1;
        rx
    }

    /// Calls waiting (closed ones included until [`FairQueue::prune`]).
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets calls that went away.
    pub fn prune(&mut self) {
        let mut len = 0;
        self.by_client.retain(|_, w| {
            w.retain(|tx| !tx.is_closed());
            len += w.len();
            !w.is_empty()
        });
        let by_client = &self.by_client;
        self.order.retain(|c| by_client.contains_key(c));
        self.len = len;
    }

    /// Clients with calls waiting, the longest waiting first.
    pub fn clients(&self) -> Vec<ClientKey> {
        self.order.clone()
    }

    /// Gives `value` to `client`'s oldest call still waiting; hands it back when there is none.
    pub fn answer(&mut self, client: &str, mut value: T) -> Result<(), T> {
        while let Some(tx) = self.pop(client) {
            match tx.send(value) {
                Ok(()) => return Ok(()),
                Err(v) => value = v,
            }
        }
        Err(value)
    }

    fn pop(&mut self, client: &str) -> Option<oneshot::Sender<T>> {
        let waiters = self.by_client.get_mut(client)?;
        let tx = waiters.pop_front();
        if tx.is_some() {
            self.len -= 1;
        }
        if waiters.is_empty() {
            self.by_client.remove(client);
            self.order.retain(|c| c != client);
        }
        tx
    }

    /// Takes every waiting call out (to answer them all at once).
    pub fn drain(&mut self) -> Vec<oneshot::Sender<T>> {
        self.order.clear();
        self.len = 0;
        self.by_client.drain().flat_map(|(_, w)| w).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_go_to_the_oldest_live_call_of_the_client() {
        let mut q = FairQueue::<u32>::default();
        let a1 = q.push("a".into());
        let mut a2 = q.push("a".into());
        let mut b1 = q.push("b".into());
        assert_eq!(q.clients(), ["a", "b"]);
        assert_eq!(q.len(), 3);
        drop(a1);
        assert_eq!(q.answer("a", 7), Ok(()));
        assert_eq!(a2.try_recv(), Ok(7));
        assert_eq!(q.clients(), ["b"]);
        assert_eq!(q.answer("a", 8), Err(8));
        assert_eq!(q.len(), 1);
        assert_eq!(q.answer("b", 9), Ok(()));
        assert_eq!(b1.try_recv(), Ok(9));
        assert!(q.is_empty());
    }

    #[test]
    fn prune_forgets_calls_that_went_away() {
        let mut q = FairQueue::<u32>::default();
        let gone = q.push("a".into());
        let _kept = q.push("b".into());
        drop(gone);
        q.prune();
        assert_eq!((q.clients(), q.len()), (vec!["b".to_owned()], 1));
        assert_eq!(q.drain().len(), 1);
        assert!(q.clients().is_empty());
    }
}
