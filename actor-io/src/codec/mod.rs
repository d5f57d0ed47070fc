//! Codecs: turning a byte stream into frames and back.
