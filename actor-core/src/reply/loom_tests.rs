//! Loom models of the reply slot: the answer racing the asker.

use super::*;
use crate::loom::sync::atomic::AtomicBool;
use std::task::Wake;

/// A waker that raises a flag.
struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::Release);
    }
}

/// The answerer on another thread races the asker's first poll (its
/// waker registration): either that poll gets the value, or the waker
/// is woken and the next poll gets it.
#[test]
fn reply_slot_answer_races_the_asker() {
    loom::model(|| {
        let (to, mut reply) = reply_pair::<u32>();
        let answerer = loom::thread::spawn(move || to.send(7));
        let flag = Arc::new(Flag(AtomicBool::new(false)));
        let waker = Waker::from(flag.clone());
        let mut cx = Context::from_waker(&waker);
        let first = Pin::new(&mut reply).poll(&mut cx);
        answerer.join().unwrap();
        match first {
            Poll::Ready(r) => assert_eq!(r, Ok(7)),
            Poll::Pending => {
                assert!(flag.0.load(Ordering::Acquire), "the asker was not woken");
                assert_eq!(Pin::new(&mut reply).poll(&mut cx), Poll::Ready(Ok(7)));
            }
        }
    });
}

/// A second registration with a new waker races the answer: whichever
/// waker is current when the answer lands is woken, or the poll that
/// replaced it sees the answer itself.
#[test]
fn reply_slot_waker_swap_races_the_answer() {
    loom::model(|| {
        let (to, mut reply) = reply_pair::<u32>();
        let a = Arc::new(Flag(AtomicBool::new(false)));
        let b = Arc::new(Flag(AtomicBool::new(false)));
        let (wa, wb) = (Waker::from(a.clone()), Waker::from(b.clone()));
        assert!(
            Pin::new(&mut reply)
                .poll(&mut Context::from_waker(&wa))
                .is_pending()
        );
        let answerer = loom::thread::spawn(move || to.send(7));
        let second = Pin::new(&mut reply).poll(&mut Context::from_waker(&wb));
        answerer.join().unwrap();
        if second.is_pending() {
            assert!(
                b.0.load(Ordering::Acquire),
                "the current waker was not woken"
            );
            let done = Pin::new(&mut reply).poll(&mut Context::from_waker(&wb));
            assert_eq!(done, Poll::Ready(Ok(7)));
        } else {
            assert_eq!(second, Poll::Ready(Ok(7)));
        }
    });
}
