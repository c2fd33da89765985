//! A value many tasks wait for and one task sets: the single in-flight credential refresh that
//! concurrent calls share. Single-threaded (wasm), so `Rc<RefCell>` suffices.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

pub(crate) struct Shared<T> {
    state: Rc<RefCell<State<T>>>,
}

struct State<T> {
    value: Option<T>,
    wakers: Vec<Waker>,
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared {
            state: self.state.clone(),
        }
    }
}

impl<T: Clone> Shared<T> {
    pub(crate) fn new() -> Self {
        Shared {
            state: Rc::new(RefCell::new(State {
                value: None,
                wakers: Vec::new(),
            })),
        }
    }

    /// Stores the value and wakes every waiter.
    pub(crate) fn set(&self, value: T) {
        let wakers = {
            let mut state = self.state.borrow_mut();
            state.value = Some(value);
            core::mem::take(&mut state.wakers)
        };
        for waker in wakers {
            waker.wake();
        }
    }

    /// Resolves to a clone of the value once it is set.
    pub(crate) fn wait(&self) -> Wait<T> {
        Wait {
            state: self.state.clone(),
        }
    }
}

pub(crate) struct Wait<T> {
    state: Rc<RefCell<State<T>>>,
}

impl<T: Clone> Future for Wait<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut state = self.state.borrow_mut();
        if let Some(value) = &state.value {
            return Poll::Ready(value.clone());
        }
        if !state.wakers.iter().any(|w| w.will_wake(cx.waker())) {
            state.wakers.push(cx.waker().clone());
        }
        Poll::Pending
    }
}
