//! `/metrics`: a Prometheus registry holding a collector that reads the
//! runtime's per-shard counters at scrape time.

use std::collections::HashMap;

use actor_core::{Handle, Metrics, ShardMetrics};
use prometheus::core::{Collector, Desc};
use prometheus::proto::{self, MetricFamily, MetricType};
use prometheus::{Encoder, Registry, TextEncoder};

/// Why a scrape or a registration failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The registry refused a collector (a duplicate or invalid name).
    #[error("metrics registry: {0}")]
    Registry(#[from] prometheus::Error),
    /// The text encoder produced bytes that are not UTF-8.
    #[error("metrics text is not UTF-8")]
    NotUtf8,
}

/// The content type of Prometheus' text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// A Prometheus registry with the runtime's collector in it. Register your
/// own collectors with [`Exporter::registry`].
#[derive(Debug, Clone)]
pub struct Exporter {
    registry: Registry,
}

impl Exporter {
    /// An exporter for `handle`'s runtime.
    pub fn new(handle: Handle) -> Result<Self, ExportError> {
        let registry = Registry::new();
        registry.register(Box::new(RuntimeCollector::new(handle)))?;
        Ok(Exporter { registry })
    }

    /// The registry, to add application metrics.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The content type [`Exporter::render`]'s text is served with.
    pub fn content_type(&self) -> &'static str {
        CONTENT_TYPE
    }

    /// Every metric in Prometheus text format.
    pub fn render(&self) -> Result<String, ExportError> {
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        String::from_utf8(out).map_err(|_| ExportError::NotUtf8)
    }
}

/// One per-shard family: its name, help, type and how to read it.
struct Family {
    name: &'static str,
    help: &'static str,
    kind: MetricType,
    read: fn(&ShardMetrics) -> u64,
}

const FAMILIES: &[Family] = &[
    Family {
        name: "pinion_shard_messages_handled_total",
        help: "Messages handled by the shard's actors.",
        kind: MetricType::COUNTER,
        read: |s| s.messages_handled,
    },
    Family {
        name: "pinion_shard_mailbox_depth",
        help: "Messages waiting in the shard's mailboxes.",
        kind: MetricType::GAUGE,
        read: |s| s.mailbox_depth,
    },
    Family {
        name: "pinion_shard_live_actors",
        help: "Actors alive on the shard.",
        kind: MetricType::GAUGE,
        read: |s| s.live_actors,
    },
    Family {
        name: "pinion_shard_actors_started_total",
        help: "Actors started on the shard.",
        kind: MetricType::COUNTER,
        read: |s| s.actors_started,
    },
    Family {
        name: "pinion_shard_dead_letters_total",
        help: "Dead letters addressed to the shard's actors.",
        kind: MetricType::COUNTER,
        read: |s| s.dead_letters,
    },
    Family {
        name: "pinion_shard_parks_total",
        help: "Times the shard parked in its reactor.",
        kind: MetricType::COUNTER,
        read: |s| s.parks,
    },
    Family {
        name: "pinion_shard_wakes_total",
        help: "Times the shard was woken through its eventfd.",
        kind: MetricType::COUNTER,
        read: |s| s.wakes,
    },
];

/// Reads a runtime's counters at scrape time: one family per per-shard
/// counter (label `shard`); one family per keyed counter's family and kind,
/// labelled by its shard (the TCP counts of shard 0 are
/// `pinion_tcp_accepted_total{shard="0"}`); and one counter per named
/// counter (`supervisor.restarts` becomes `pinion_supervisor_restarts_total`).
pub struct RuntimeCollector {
    handle: Handle,
    descs: Vec<Desc>,
}

impl std::fmt::Debug for RuntimeCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuntimeCollector").finish_non_exhaustive()
    }
}

impl RuntimeCollector {
    /// A collector for `handle`'s runtime.
    pub fn new(handle: Handle) -> Self {
        let descs = FAMILIES
            .iter()
            .filter_map(|f| {
                Desc::new(
                    f.name.into(),
                    f.help.into(),
                    vec!["shard".into()],
                    HashMap::new(),
                )
                .ok()
            })
            .collect();
        RuntimeCollector { handle, descs }
    }

    fn families(metrics: &Metrics) -> Vec<MetricFamily> {
        let mut out: Vec<MetricFamily> = FAMILIES
            .iter()
            .map(|f| {
                let samples = metrics
                    .shards
                    .iter()
                    .map(|s| sample(f.kind, (f.read)(s), Some(s.shard)))
                    .collect();
                family(f.name.to_string(), f.help, f.kind, samples)
            })
            .collect();
        // Keyed counters: `(tcp, accepted, shard 0)` and `(tcp, accepted,
        // shard 1)` are one family, `pinion_tcp_accepted_total`, labelled by
        // shard (the snapshot is sorted by key, so a family's samples are
        // adjacent).
        let mut i = 0;
        while let Some((first, _)) = metrics.counters.get(i) {
            let mut samples = Vec::new();
            while let Some((key, value)) = metrics.counters.get(i)
                && (key.family, key.kind) == (first.family, first.kind)
            {
                samples.push(sample(MetricType::COUNTER, *value, key.shard));
                i += 1;
            }
            let name = format!(
                "pinion_{}_{}_total",
                sanitize(first.family),
                sanitize(first.kind)
            );
            out.push(family(
                name,
                "A per-shard runtime counter.",
                MetricType::COUNTER,
                samples,
            ));
        }
        // Named counters: `supervisor.restarts` is
        // `pinion_supervisor_restarts_total`.
        for (name, value) in &metrics.named {
            out.push(family(
                format!("pinion_{}_total", sanitize(name)),
                "A named runtime counter.",
                MetricType::COUNTER,
                vec![sample(MetricType::COUNTER, *value, None)],
            ));
        }
        out
    }
}

impl Collector for RuntimeCollector {
    fn desc(&self) -> Vec<&Desc> {
        self.descs.iter().collect()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        Self::families(&self.handle.metrics())
    }
}

/// A metric name holds `[a-zA-Z0-9_:]` only; anything else becomes `_`.
fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn sample(kind: MetricType, value: u64, shard: Option<usize>) -> proto::Metric {
    let mut m = proto::Metric::default();
    if let Some(shard) = shard {
        let mut label = proto::LabelPair::default();
        label.set_name("shard".into());
        label.set_value(shard.to_string());
        m.set_label(vec![label]);
    }
    // Prometheus samples are f64; counts below 2^53 are exact.
    let value = value as f64;
    if kind == MetricType::GAUGE {
        let mut g = proto::Gauge::default();
        g.set_value(value);
        m.set_gauge(g);
    } else {
        let mut c = proto::Counter::default();
        c.set_value(value);
        m.set_counter(c);
    }
    m
}

fn family(name: String, help: &str, kind: MetricType, samples: Vec<proto::Metric>) -> MetricFamily {
    let mut f = MetricFamily::default();
    f.set_name(name);
    f.set_help(help.into());
    f.set_field_type(kind);
    f.set_metric(samples);
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sanitized() {
        assert_eq!(sanitize("supervisor.restarts"), "supervisor_restarts");
        assert_eq!(sanitize("tcp-accepted/x"), "tcp_accepted_x");
    }
}
