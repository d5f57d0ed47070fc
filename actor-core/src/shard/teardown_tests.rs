//! The shard's exit: what its teardown drops may wake, send and free more.

use std::rc::Rc;
use std::sync::mpsc;
use std::task::Waker;
use std::time::Duration;

use crate::Runtime;
use crate::shard::local::{ShardLocal, send_to_shard};
use crate::shard::shared::Remote;
use crate::shard::task::{TaskCell, with_borrowed_waker};

/// Wakes a task of the same shard when dropped.
struct WakeOnDrop(Waker);

impl Drop for WakeOnDrop {
    fn drop(&mut self) {
        self.0.wake_by_ref();
    }
}

/// Runs `job` on shard 0 of `rt` and returns what it sends back.
fn on_shard<R: Send + 'static>(
    rt: &Runtime,
    job: impl FnOnce(&Rc<ShardLocal>) -> R + Send + 'static,
) -> R {
    let (tx, rx) = mpsc::channel();
    let shard = rt.handle().inner.shards[0].clone();
    let sent = send_to_shard(
        &shard,
        Remote::Run(Box::new(move |local| {
            let _ = tx.send(job(local));
        })),
    );
    assert!(sent.is_ok());
    rx.recv_timeout(Duration::from_secs(5))
        .expect("the job ran")
}

/// The last reference to a cell sits in the run queue, and dropping the cell
/// wakes another task of the shard (as a queued `ReplyTo` wakes its asker):
/// the wake-up re-enters the run queue while it is being emptied. This
/// panicked with "RefCell already borrowed" inside `drop_all_tasks`.
#[test]
fn dropping_the_run_queue_may_wake_tasks_of_the_same_shard() {
    let rt = Runtime::builder().shards(1).build().unwrap();
    let clean = on_shard(&rt, |local| {
        // A task not scheduled now, so the wake-up enqueues it.
        let waiter = TaskCell::new(local.shared.clone(), ()).task_ref();
        let waker = with_borrowed_waker(&waiter, Waker::clone);
        let cell = TaskCell::new(local.shared.clone(), WakeOnDrop(waker));
        local.run_queue.borrow_mut().push_back(cell.task_ref());
        drop(cell);
        let dropped =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| local.drop_all_tasks()));
        dropped.is_ok() && local.run_queue.borrow().is_empty()
    });
    assert!(clean, "the run queue was re-entered while borrowed");
    rt.shutdown().unwrap();
}

/// A task's destructor that wakes, spawns a task and drops more tasks:
/// `drop_all_tasks` keeps going until nothing is left.
#[test]
fn teardown_drops_what_destructors_create() {
    struct SpawnOnDrop(Rc<ShardLocal>, u32);
    impl Drop for SpawnOnDrop {
        fn drop(&mut self) {
            if self.1 > 0 {
                let next = SpawnOnDrop(self.0.clone(), self.1 - 1);
                self.0.spawn_task(async move {
                    let _next = next;
                    std::future::pending::<()>().await;
                });
            }
        }
    }
    let rt = Runtime::builder().shards(1).build().unwrap();
    let left = on_shard(&rt, |local| {
        let chain = SpawnOnDrop(local.clone(), 5);
        local.spawn_task(async move {
            let _chain = chain;
            std::future::pending::<()>().await;
        });
        local.drop_all_tasks();
        local.tasks.borrow_mut().drain().len() + local.run_queue.borrow().len()
    });
    assert_eq!(left, 0, "tasks made by destructors outlived the teardown");
    rt.shutdown().unwrap();
}

/// A task's destructor that asks an actor of its own shard, during the
/// shard's exit: the ask ends with `Closed` instead of waiting forever.
#[test]
fn an_ask_made_by_a_destructor_at_exit_is_answered() {
    use crate::{Actor, AskError, Context, ReplyTo};

    struct Never;
    impl Actor for Never {
        type Msg = ReplyTo<u8>;
        async fn handle(&mut self, _: ReplyTo<u8>, _: &mut Context<Self>) {
            std::future::pending::<()>().await;
        }
    }
    type Outcome = std::sync::Arc<std::sync::Mutex<Option<crate::Reply<u8>>>>;
    struct AskOnDrop(crate::ActorRef<Never>, Outcome);
    impl Drop for AskOnDrop {
        fn drop(&mut self) {
            let (to, reply) = crate::reply::reply_pair::<u8>();
            let _ = self.0.try_tell(to);
            *self.1.lock().unwrap() = Some(reply);
        }
    }

    let rt = Runtime::builder().shards(1).build().unwrap();
    let never = rt.spawn_on(0, || Never).unwrap();
    let outcome: Outcome = Default::default();
    let (target, slot) = (never.clone(), outcome.clone());
    on_shard(&rt, move |local| {
        let guard = AskOnDrop(target, slot);
        local.spawn_task(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        });
    });
    rt.shutdown().unwrap();
    let reply = outcome.lock().unwrap().take().expect("the destructor ran");
    let answer = now_or_never(reply);
    assert_eq!(answer, Err(AskError::Closed));
}

/// Polls a future that must already be ready.
fn now_or_never<F: std::future::Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    match fut
        .as_mut()
        .poll(&mut std::task::Context::from_waker(Waker::noop()))
    {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => panic!("the ask was left waiting"),
    }
}
