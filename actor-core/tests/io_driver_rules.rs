//! `io_driver::submit` takes one-shot operations only: entries that would
//! complete more than once, never, or as part of a chain are refused with
//! `InvalidInput` and their resources come back, under either driver.
#![allow(missing_docs)]

use std::sync::mpsc;

use actor_core::io_driver;
use actor_core::prelude::*;
use io_uring::{opcode, squeue, types};

/// Submits each entry from its `on_start` and reports the error kinds.
struct Submitter(Option<mpsc::Sender<Vec<Option<std::io::ErrorKind>>>>);

impl Actor for Submitter {
    type Msg = ();
    async fn on_start(&mut self, _: &mut Context<Self>) -> Result<(), BoxError> {
        let entries = [
            opcode::Nop::new().build().flags(squeue::Flags::IO_LINK),
            opcode::Nop::new()
                .build()
                .flags(squeue::Flags::SKIP_SUCCESS),
            opcode::AcceptMulti::new(types::Fd(0)).build(),
            opcode::PollAdd::new(types::Fd(0), 1).multi(true).build(),
        ];
        let mut kinds = Vec::new();
        for sqe in entries {
            // SAFETY: the entries point at nothing; none reaches the kernel.
            let submitted = unsafe { io_driver::submit(sqe, vec![7u8; 4], None) };
            kinds.push(match submitted {
                Ok(_) => None,
                Err(e) => {
                    assert_eq!(e.resources, [7u8; 4], "the resources come back");
                    Some(e.error.kind())
                }
            });
        }
        if let Some(tx) = self.0.take() {
            let _ = tx.send(kinds);
        }
        Ok(())
    }
    async fn handle(&mut self, (): (), _: &mut Context<Self>) {}
}

#[test]
fn submit_refuses_entries_that_do_not_complete_exactly_once() {
    let rt = Runtime::builder().shards(1).build().unwrap();
    let (tx, rx) = mpsc::channel();
    rt.spawn_on(0, move || Submitter(Some(tx))).unwrap();
    let kinds = rx.recv_timeout(std::time::Duration::from_secs(5)).unwrap();
    assert_eq!(kinds, [Some(std::io::ErrorKind::InvalidInput); 4]);
    rt.shutdown().unwrap();
}
