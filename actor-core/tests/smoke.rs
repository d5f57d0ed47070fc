#![allow(missing_docs)]

use actor_core::prelude::*;

struct Counter(u64);
enum Msg {
    Add(u64),
    Get(ReplyTo<u64>),
    Boom(ReplyTo<u64>),
}
impl Actor for Counter {
    type Msg = Msg;
    async fn handle(&mut self, msg: Msg, _ctx: &mut Context<Self>) {
        match msg {
            Msg::Add(n) => self.0 += n,
            Msg::Get(r) => r.send(self.0),
            Msg::Boom(_r) => panic!("boom"),
        }
    }
}

#[test]
fn smoke() {
    let rt = Runtime::builder().shards(2).build().unwrap();
    eprintln!("driver {}", rt.driver());
    let c = rt.spawn_on(1, || Counter(0)).unwrap();
    for _ in 0..1000 {
        c.tell_blocking(Msg::Add(1)).unwrap();
    }
    assert_eq!(c.ask_blocking(Msg::Get).unwrap(), 1000);
    let c0 = rt.spawn_on(0, || Counter(5)).unwrap();
    let v = rt.block_on(async { c0.ask(Msg::Get).await.unwrap() + c.ask(Msg::Get).await.unwrap() });
    assert_eq!(v, 1005);
    assert_eq!(c.ask_blocking(Msg::Boom), Err(AskError::ActorFailed));
    assert!(!c.is_alive());
    assert_eq!(c0.ask_blocking(Msg::Get).unwrap(), 5);
    let r = rt.block_on(async {
        actor_core::time::timeout(
            std::time::Duration::from_millis(20),
            std::future::pending::<()>(),
        )
        .await
    });
    assert!(r.is_err());
    eprintln!("{:?}", rt.metrics());
    rt.shutdown().unwrap();
}
