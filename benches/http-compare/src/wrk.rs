//! Runs wrk and reads its report.

use std::io::Write;
use std::process::Command;

/// What one wrk run reported.
pub(crate) struct WrkReport {
    pub(crate) requests: u64,
    pub(crate) requests_per_sec: f64,
    pub(crate) p50_us: f64,
    pub(crate) p99_us: f64,
}

/// One wrk invocation.
pub(crate) struct WrkRun {
    port: u16,
    conns: u32,
    threads: u32,
    secs: u32,
    depth: u32,
}

const PIPELINE_LUA: &str = r#"
init = function(args)
  local depth = tonumber(args[1]) or 1
  local r = {}
  for i = 1, depth do r[i] = wrk.format() end
  req = table.concat(r)
end
request = function() return req end
"#;

impl WrkRun {
    pub(crate) fn new(port: u16, conns: u32, threads: u32, secs: u32, depth: u32) -> Self {
        WrkRun {
            port,
            conns,
            threads: threads.min(conns),
            secs,
            depth,
        }
    }

    pub(crate) fn run(&self) -> WrkReport {
        let url = format!("http://127.0.0.1:{}/plaintext", self.port);
        let mut cmd = Command::new("wrk");
        cmd.args([
            "--latency",
            "-t",
            &self.threads.to_string(),
            "-c",
            &self.conns.to_string(),
            "-d",
            &format!("{}s", self.secs),
            &url,
        ]);
        let script = std::env::temp_dir().join("pinion-pipeline.lua");
        if self.depth > 1 {
            let mut f = std::fs::File::create(&script).expect("lua script");
            f.write_all(PIPELINE_LUA.as_bytes()).expect("lua script");
            cmd.args([
                "-s",
                script.to_str().expect("utf-8 path"),
                "--",
                &self.depth.to_string(),
            ]);
        }
        let out = cmd.output().expect("running wrk (apt-get install wrk)");
        let text = String::from_utf8_lossy(&out.stdout);
        parse(&text).unwrap_or_else(|| panic!("could not read wrk's report:\n{text}"))
    }
}

fn parse(text: &str) -> Option<WrkReport> {
    let mut rps = None;
    let mut requests = None;
    let mut p50 = None;
    let mut p99 = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some((n, _)) = line.split_once(" requests in ") {
            requests = n.trim().parse().ok();
        }
        if let Some(v) = line.strip_prefix("Requests/sec:") {
            rps = v.trim().parse().ok();
        } else if let Some(v) = line.strip_prefix("50%") {
            p50 = duration_us(v.trim());
        } else if let Some(v) = line.strip_prefix("99%") {
            p99 = duration_us(v.trim());
        }
    }
    Some(WrkReport {
        requests: requests?,
        requests_per_sec: rps?,
        p50_us: p50?,
        p99_us: p99?,
    })
}

fn duration_us(v: &str) -> Option<f64> {
    let split = v.find(|c: char| c.is_ascii_alphabetic())?;
    let (num, unit) = v.split_at(split);
    let n: f64 = num.parse().ok()?;
    Some(match unit {
        "us" => n,
        "ms" => n * 1e3,
        "s" => n * 1e6,
        "m" => n * 60e6,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_wrk_report() {
        let text = "  Latency Distribution\n     50%  101.00us\n     75%  1.20ms\n     99%    2.50ms\n  49383 requests in 4.00s, 6.17MB read\nRequests/sec:  12345.67\n";
        let r = parse(text).unwrap();
        assert_eq!(r.requests, 49383);
        assert_eq!(r.requests_per_sec, 12345.67);
        assert_eq!(r.p50_us, 101.0);
        assert_eq!(r.p99_us, 2500.0);
    }
}
