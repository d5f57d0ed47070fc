//! Small helpers every layer may use; they import nothing from the crate.

/// The text of a panic payload: the message of `panic!("...")`, or a
/// placeholder for a payload that is not a string.
pub(crate) fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".to_owned()
    }
}
