//! An ordered list of header fields, kept in one buffer.

use std::fmt;

use crate::pool;

/// Bytes of an entry's prefix: the name's length, then the value's, each a
/// little-endian `u32`.
const PREFIX: usize = 8;
/// Room reserved by the first append, enough for a few typical fields.
const FIRST_RESERVE: usize = 128;

/// Header fields in the order they arrived, names compared ASCII
/// case-insensitively. Repeated names are kept as separate entries.
///
/// Every field lives in one buffer (a length prefix, the name, the value),
/// so a set of headers costs one allocation however many fields it holds,
/// and [`clear`](Self::clear) keeps that allocation for reuse. A dropped
/// set gives a small buffer back to a per-thread stock, where the next set
/// built on that thread takes it instead of allocating (the shard's buffer
/// pool).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Headers {
    /// `[name_len u32][value_len u32][name][value]` per field.
    buf: Vec<u8>,
    /// Number of fields.
    count: usize,
}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(
                self.iter()
                    .map(|(n, v)| (n, String::from_utf8_lossy(v).into_owned())),
            )
            .finish()
    }
}

impl Drop for Headers {
    fn drop(&mut self) {
        pool::give(std::mem::take(&mut self.buf));
    }
}

/// Walks the fields of an encoded buffer.
struct Fields<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Fields<'a> {
    type Item = (&'a str, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let (prefix, rest) = self.rest.split_first_chunk::<PREFIX>()?;
        let [a, b, c, d, e, f, g, h] = *prefix;
        let name_len = u32::from_le_bytes([a, b, c, d]) as usize;
        let value_len = u32::from_le_bytes([e, f, g, h]) as usize;
        let (name, rest) = rest.split_at_checked(name_len)?;
        let (value, rest) = rest.split_at_checked(value_len)?;
        self.rest = rest;
        // SAFETY: names are only ever written from `&str`s (see
        // `Headers::append`), whole, so these bytes are valid UTF-8.
        let name = unsafe { std::str::from_utf8_unchecked(name) };
        Some((name, value))
    }
}

impl Headers {
    /// No headers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Room for `n` headers of typical size.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            buf: Vec::with_capacity(n * (PREFIX + 32)),
            count: 0,
        }
    }

    /// Appends a field (an existing field of the same name is kept).
    pub fn append(&mut self, name: impl AsRef<str>, value: impl AsRef<[u8]>) {
        self.push(name.as_ref(), value.as_ref());
    }

    fn push(&mut self, name: &str, value: &[u8]) {
        let need = PREFIX + name.len() + value.len();
        if self.buf.capacity() == 0 && need <= pool::SMALL {
            self.buf = pool::take_small();
        }
        if self.buf.capacity() - self.buf.len() < need {
            self.buf.reserve(need.max(FIRST_RESERVE));
        }
        // No real field comes near 4 GiB; one that did is stored empty
        // rather than cut (a cut name could split a character).
        let name_len = u32::try_from(name.len()).unwrap_or(0);
        let value_len = u32::try_from(value.len()).unwrap_or(0);
        let name = name.as_bytes().get(..name_len as usize).unwrap_or(&[]);
        let value = value.get(..value_len as usize).unwrap_or(&[]);
        let prefix = u64::from(name_len) | (u64::from(value_len) << 32);
        self.buf.extend_from_slice(&prefix.to_le_bytes());
        self.buf.extend_from_slice(name);
        self.buf.extend_from_slice(value);
        self.count += 1;
    }

    /// Removes every field, keeping the buffer for reuse.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.count = 0;
    }

    /// Replaces every field named `name` by one with `value`.
    pub fn set(&mut self, name: impl AsRef<str>, value: impl AsRef<[u8]>) {
        let name = name.as_ref();
        self.remove(name);
        self.push(name, value.as_ref());
    }

    /// Removes every field named `name`; returns how many there were.
    pub fn remove(&mut self, name: impl AsRef<str>) -> usize {
        let name = name.as_ref();
        if !self.contains(name) {
            return 0;
        }
        let before = self.count;
        let old = std::mem::take(&mut self.buf);
        self.count = 0;
        self.buf.reserve(old.len());
        for (n, v) in (Fields { rest: &old }) {
            if !n.eq_ignore_ascii_case(name) {
                self.push(n, v);
            }
        }
        before - self.count
    }

    /// The value of the first field named `name` (a `&str` or an
    /// [`http::HeaderName`](::http::HeaderName)).
    ///
    /// ```
    /// use actor_io::http::Headers;
    /// use http::header::CONTENT_TYPE;
    ///
    /// let mut headers = Headers::new();
    /// headers.append(CONTENT_TYPE, http::HeaderValue::from_static("text/plain"));
    /// assert_eq!(headers.get(CONTENT_TYPE), Some(&b"text/plain"[..]));
    /// assert_eq!(headers.get("Content-Type"), Some(&b"text/plain"[..]));
    /// ```
    pub fn get(&self, name: impl AsRef<str>) -> Option<&[u8]> {
        let name = name.as_ref();
        self.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// The values of every field named `name`, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Whether some field is named `name`.
    pub fn contains(&self, name: impl AsRef<str>) -> bool {
        self.get(name).is_some()
    }

    /// Whether a comma-separated field named `name` lists `token`
    /// (ASCII case-insensitive), as in `Connection: keep-alive, close`.
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.get_all(name)
            .flat_map(|v| v.split(|&b| b == b','))
            .any(|t| trim_ows(t).eq_ignore_ascii_case(token.as_bytes()))
    }

    /// Every field as `(name, value)`, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        Fields { rest: &self.buf }
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// Strips optional whitespace (spaces and tabs) at both ends.
pub(crate) fn trim_ows(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// Whether `b` may appear in a token (RFC 9110 `tchar`).
pub(crate) fn is_tchar(b: u8) -> bool {
    TCHAR.get(usize::from(b)).copied().unwrap_or(false)
}

/// [`is_tchar`] as a table.
static TCHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        b += 1;
    }
    table
};

/// Whether `s` is a non-empty token.
pub(crate) fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

/// Whether `v` is a header value safe to write: no CR, LF, NUL or other
/// control byte except horizontal tab.
pub(crate) fn is_safe_value(v: &[u8]) -> bool {
    v.iter()
        .all(|&b| SAFE_VALUE.get(usize::from(b)).copied().unwrap_or(false))
}

/// [`is_safe_value`]'s test of one byte, as a table: every response field
/// is checked byte by byte.
static SAFE_VALUE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = b == 0x09 || (b >= 0x20 && b != 0x7f);
        b += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::{Headers, is_safe_value};

    #[test]
    fn safe_values_are_tab_and_every_byte_but_controls_and_del() {
        for b in 0..=255u8 {
            let expected = b == b'\t' || (b >= 0x20 && b != 0x7f);
            assert_eq!(is_safe_value(&[b'a', b, b'z']), expected, "byte {b:#04x}");
        }
        assert!(is_safe_value(b""));
    }

    #[test]
    fn fields_read_back_as_appended() {
        let mut h = Headers::new();
        h.append("Host", "example.com");
        h.append("X-Empty", "");
        h.append("", "v");
        let fields: Vec<(&str, &[u8])> = h.iter().collect();
        assert_eq!(
            fields,
            [
                ("Host", &b"example.com"[..]),
                ("X-Empty", &b""[..]),
                ("", &b"v"[..])
            ]
        );
    }
}
