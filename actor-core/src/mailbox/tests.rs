//! Unit tests of the mailbox: lanes, capacity, signals.

use super::*;

#[test]
fn full_and_closed_hand_the_message_back() {
    let mb = Mailbox::new(2);
    mb.try_push(1).unwrap();
    mb.try_push(2).unwrap();
    assert_eq!(mb.try_push(3), Err(SendError::Full(3)));
    let rest = mb.close();
    assert_eq!(rest, [1, 2]);
    assert_eq!(mb.try_push(4), Err(SendError::Closed(4)));
}

#[test]
fn stop_comes_before_notices_and_notices_before_messages() {
    let mb = Mailbox::new(8);
    mb.try_push(7).unwrap();
    mb.push_notice(
        Notice {
            id: crate::ActorId::new(0, 1),
            name: "x",
            event: crate::actor::LifecycleEvent::Started,
            via: crate::actor::NoticeVia::Monitor,
        },
        0,
    );
    mb.request_stop(ExitReason::Normal);
    assert!(matches!(mb.next(), Next::Stop(ExitReason::Normal)));
    assert!(matches!(mb.next(), Next::Notice(_)));
    assert!(matches!(mb.next(), Next::Msg(7, false)));
    assert!(matches!(mb.next(), Next::Empty));
}
