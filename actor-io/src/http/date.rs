//! The `Date` header: IMF-fixdate formatting and a per-thread cache.
//!
//! Each shard runs on its own thread, so a thread-local cache is a
//! per-shard cache: the date is formatted at most once per second per shard.

use std::cell::Cell;
use std::time::{SystemTime, UNIX_EPOCH};

/// Length of an IMF-fixdate, such as `Sun, 06 Nov 1994 08:49:37 GMT`.
pub const DATE_LEN: usize = 29;

const DAYS: [&[u8; 3]; 7] = [b"Thu", b"Fri", b"Sat", b"Sun", b"Mon", b"Tue", b"Wed"];
const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// Formats seconds since the Unix epoch as an IMF-fixdate (RFC 9110 §5.6.7).
/// Years past 9999 are written as 9999.
///
/// ```
/// let d = actor_io::http::imf_fixdate(784_111_777);
/// assert_eq!(&d, b"Sun, 06 Nov 1994 08:49:37 GMT");
/// ```
pub fn imf_fixdate(unix_secs: u64) -> [u8; DATE_LEN] {
    let days = unix_secs / 86_400;
    let secs_of_day = unix_secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    let mut out = *b"Thu, 01 Jan 1970 00:00:00 GMT";
    let weekday = DAYS.get((days % 7) as usize).copied().unwrap_or(b"Thu");
    let month_name = MONTHS.get((month - 1) as usize).copied().unwrap_or(b"Jan");
    let year = year.min(9999);
    let fields: [(usize, &[u8]); 2] = [(0, weekday), (8, month_name)];
    for (at, text) in fields {
        if let Some(dst) = out.get_mut(at..at + 3) {
            dst.copy_from_slice(text);
        }
    }
    let numbers = [
        (5, 2, u64::from(day)),
        (12, 4, year),
        (17, 2, secs_of_day / 3600),
        (20, 2, secs_of_day / 60 % 60),
        (23, 2, secs_of_day % 60),
    ];
    for (at, width, mut value) in numbers {
        for i in (0..width).rev() {
            if let Some(b) = out.get_mut(at + i) {
                *b = b'0' + (value % 10) as u8;
            }
            value /= 10;
        }
    }
    out
}

/// Days since 1970-01-01 to (year, month 1..=12, day 1..=31), after
/// Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: u64) -> (u64, u32, u32) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// The current date as an IMF-fixdate, from this thread's cache (formatted
/// again only when the second has changed).
pub fn http_date() -> [u8; DATE_LEN] {
    date_of(&date_line())
}

/// The date in a `Date` header line.
fn date_of(line: &[u8; DATE_LINE_LEN]) -> [u8; DATE_LEN] {
    let mut date = [0u8; DATE_LEN];
    if let Some(text) = line.get(DATE_PREFIX.len()..DATE_PREFIX.len() + DATE_LEN) {
        date.copy_from_slice(text);
    }
    date
}

/// What a `Date` header line starts with.
const DATE_PREFIX: &[u8] = b"Date: ";
/// Length of a whole `Date` header line, CRLF included.
pub(crate) const DATE_LINE_LEN: usize = DATE_PREFIX.len() + DATE_LEN + 2;

/// The whole `Date: <IMF-fixdate>\r\n` header line for now, from this
/// thread's cache.
pub(crate) fn date_line() -> [u8; DATE_LINE_LEN] {
    cached_line_at(unix_secs_now())
}

/// Seconds since the Unix epoch, from the coarse real-time clock: the
/// `Date` header has a resolution of one second, and the coarse clock is
/// read without asking the hardware (a few milliseconds behind at most).
fn unix_secs_now() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the call.
    let coarse = unsafe { libc::clock_gettime(libc::CLOCK_REALTIME_COARSE, &mut ts) };
    if coarse == 0 {
        return u64::try_from(ts.tv_sec).unwrap_or(0);
    }
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

thread_local! {
    static CACHE: Cell<(u64, [u8; DATE_LINE_LEN])> = const { Cell::new((u64::MAX, [0; DATE_LINE_LEN])) };
}

/// The cache's line for `now` seconds since the epoch.
fn cached_line_at(now: u64) -> [u8; DATE_LINE_LEN] {
    CACHE.with(|c| {
        let (secs, line) = c.get();
        if secs == now {
            return line;
        }
        let mut line = [0u8; DATE_LINE_LEN];
        let (prefix, rest) = line.split_at_mut(DATE_PREFIX.len());
        prefix.copy_from_slice(DATE_PREFIX);
        let (date, crlf) = rest.split_at_mut(DATE_LEN);
        date.copy_from_slice(&imf_fixdate(now));
        crlf.copy_from_slice(b"\r\n");
        c.set((now, line));
        line
    })
}

/// The cache's answer for `now` seconds since the epoch.
#[cfg(test)]
fn cached_date_at(now: u64) -> [u8; DATE_LEN] {
    date_of(&cached_line_at(now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        let cases: [(u64, &[u8]); 7] = [
            (0, b"Thu, 01 Jan 1970 00:00:00 GMT"),
            (784_111_777, b"Sun, 06 Nov 1994 08:49:37 GMT"),
            (951_782_400, b"Tue, 29 Feb 2000 00:00:00 GMT"),
            (1_234_567_890, b"Fri, 13 Feb 2009 23:31:30 GMT"),
            (1_709_208_000, b"Thu, 29 Feb 2024 12:00:00 GMT"),
            (4_102_444_799, b"Thu, 31 Dec 2099 23:59:59 GMT"),
            (4_107_456_000, b"Sun, 28 Feb 2100 00:00:00 GMT"),
        ];
        for (secs, text) in cases {
            assert_eq!(&imf_fixdate(secs), text, "{secs}");
        }
        assert_eq!(
            &imf_fixdate(4_107_542_400),
            b"Mon, 01 Mar 2100 00:00:00 GMT"
        );
    }

    #[test]
    fn cache_refreshes_on_new_second() {
        assert_eq!(
            &cached_date_at(784_111_777),
            b"Sun, 06 Nov 1994 08:49:37 GMT"
        );
        assert_eq!(
            &cached_date_at(784_111_777),
            b"Sun, 06 Nov 1994 08:49:37 GMT"
        );
        assert_eq!(
            &cached_date_at(784_111_778),
            b"Sun, 06 Nov 1994 08:49:38 GMT"
        );
        assert_eq!(http_date().len(), DATE_LEN);
        let line = date_line();
        assert!(line.starts_with(b"Date: ") && line.ends_with(b" GMT\r\n"));
        let secs = unix_secs_now();
        let system = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(
            system.abs_diff(secs) <= 1,
            "coarse clock {secs}, system {system}"
        );
    }
}
