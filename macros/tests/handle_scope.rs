//! Where the typed handle is reachable: from other modules with nothing
//! imported, for actors declared inside a function, and for actors whose
//! `#[messages]` block lives in another module than the struct.

use actor_core::prelude::*;

mod model {
    use actor_core::prelude::*;

    /// The struct here, its messages in `super::handlers`.
    #[actor]
    pub(crate) struct Ledger {
        pub(crate) entries: Vec<String>,
    }
}

mod handlers {
    use super::model::Ledger;
    use actor_core::prelude::*;

    #[messages]
    impl Ledger {
        #[message]
        pub(crate) fn record(&mut self, entry: String) -> usize {
            self.entries.push(entry);
            self.entries.len()
        }

        #[message]
        pub(crate) fn clear(&mut self) {
            self.entries.clear();
        }
    }
}

#[test]
fn messages_declared_in_another_module_are_called_without_imports() {
    let rt = Runtime::builder().shards(2).build().unwrap();
    let ledger = rt
        .spawn_on(1, || model::Ledger {
            entries: Vec::new(),
        })
        .unwrap();
    assert_eq!(ledger.record_blocking("a".into()).unwrap(), 1);
    assert_eq!(ledger.record_blocking("b".into()).unwrap(), 2);
    rt.block_on(ledger.clear()).unwrap();
    assert_eq!(ledger.record_blocking("c".into()).unwrap(), 1);
    rt.shutdown().unwrap();
}

#[test]
fn the_alias_names_the_generated_enum() {
    let rt = Runtime::builder().shards(1).build().unwrap();
    let ledger = rt
        .spawn(|| model::Ledger {
            entries: Vec::new(),
        })
        .unwrap();
    let sent: Result<(), SendError<model::LedgerMsg>> = ledger.try_clear();
    sent.unwrap();
    // The raw API takes the enum by its alias, variants included.
    let n = ledger
        .ask_blocking(|reply_to| model::LedgerMsg::Record {
            entry: "raw".into(),
            reply_to,
        })
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(
        format!("{:?}", model::LedgerMsg::Clear { reply_to: None }),
        "LedgerMsg::Clear"
    );
    rt.shutdown().unwrap();
}

#[test]
fn an_actor_declared_in_a_function_body_works() {
    #[actor]
    struct Local {
        hits: u32,
    }

    /// A type only this function can name, used by a message.
    #[derive(Debug, PartialEq)]
    struct Hits(u32);

    #[messages]
    impl Local {
        #[message]
        fn hit(&mut self) -> Hits {
            self.hits += 1;
            Hits(self.hits)
        }
    }

    let rt = Runtime::builder().shards(1).build().unwrap();
    let local = rt.spawn(|| Local { hits: 0 }).unwrap();
    assert_eq!(local.hit_blocking().unwrap(), Hits(1));
    assert_eq!(rt.block_on(async { local.hit().await }).unwrap(), Hits(2));
    rt.shutdown().unwrap();
}

#[test]
fn a_borrowed_or_shared_handle_reaches_the_methods() {
    #[actor]
    struct Echo;

    #[messages]
    impl Echo {
        #[message]
        fn echo(&self, n: u64) -> u64 {
            n
        }
    }

    let rt = Runtime::builder().shards(1).build().unwrap();
    let echo = std::sync::Arc::new(rt.spawn(|| Echo).unwrap());
    let borrowed: &ActorRef<Echo> = &echo;
    assert_eq!(borrowed.echo_blocking(3).unwrap(), 3);
    let shared = echo.clone();
    let from_thread = std::thread::spawn(move || shared.echo_blocking(4).unwrap());
    assert_eq!(from_thread.join().unwrap(), 4);
    rt.shutdown().unwrap();
}
