//! The `Host` field's value: `uri-host [ ":" port ]` (RFC 9110 §7.2).

/// Whether `value` is a valid `Host` field value: empty (a target without
/// an authority), or a host (a registered name, an IPv4 address or a
/// bracketed IP literal) with an optional decimal port. No whitespace, no
/// user information.
pub(crate) fn is_valid_host(value: &[u8]) -> bool {
    let (host, port) = match value.first() {
        Some(b'[') => {
            let Some(close) = value.iter().position(|&b| b == b']') else {
                return false;
            };
            let (literal, rest) = value.split_at(close + 1);
            let inner = literal.get(1..close).unwrap_or(&[]);
            if inner.is_empty() || !inner.iter().all(|&b| is_literal_byte(b)) {
                return false;
            }
            match rest.split_first() {
                None => return true,
                Some((b':', port)) => (&[][..], port),
                Some(_) => return false,
            }
        }
        _ => match value.iter().position(|&b| b == b':') {
            Some(at) => (
                value.get(..at).unwrap_or(&[]),
                value.get(at + 1..).unwrap_or(&[]),
            ),
            None => (value, &[][..]),
        },
    };
    host.iter().all(|&b| is_reg_name_byte(b)) && port.iter().all(u8::is_ascii_digit)
}

/// `unreserved / pct-encoded / sub-delims` (RFC 3986 `reg-name`; a `%`
/// stands for the start of a percent-encoding).
fn is_reg_name_byte(b: u8) -> bool {
    REG_NAME.get(usize::from(b)).copied().unwrap_or(false)
}

/// [`is_reg_name_byte`] as a table: every request's `Host` value is checked
/// byte by byte, and one load per byte costs less than the comparisons.
static REG_NAME: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'%'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
            );
        b += 1;
    }
    table
};

/// What an `IP-literal` holds: an IPv6 address (hex digits, colons, a
/// dotted IPv4 tail, a zone) or an `IPvFuture`.
fn is_literal_byte(b: u8) -> bool {
    is_reg_name_byte(b) || b == b':'
}

#[cfg(test)]
mod tests {
    use super::is_valid_host;

    #[test]
    fn the_reg_name_table_holds_exactly_rfc_3986_reg_name_bytes() {
        let expected: Vec<u8> = (0..=255u8)
            .filter(|b| b.is_ascii_alphanumeric() || b"-._~%!$&'()*+,;=".contains(b))
            .collect();
        let table: Vec<u8> = (0..=255u8)
            .filter(|&b| super::is_reg_name_byte(b))
            .collect();
        assert_eq!(table, expected);
    }

    #[test]
    fn hosts_with_and_without_ports() {
        for ok in [
            &b""[..],
            b"localhost",
            b"localhost:8080",
            b"127.0.0.1:80",
            b"[::1]",
            b"[::1]:443",
            b"[v1.x]",
            b"xn--bcher-kva.example",
            b"a%20b",
            b"h:",
        ] {
            assert!(is_valid_host(ok), "{:?}", String::from_utf8_lossy(ok));
        }
        for bad in [
            &b"a b"[..],
            b"a\tb",
            b" a",
            b"user@host",
            b"h:8o",
            b"h:1:2",
            b"[::1",
            b"[]",
            b"[::1]x",
            b"[::1]:a",
            b"h/p",
            b"h?q",
            b"\xc3\xa9",
        ] {
            assert!(!is_valid_host(bad), "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
