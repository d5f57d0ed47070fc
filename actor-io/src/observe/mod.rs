//! Observability endpoints: the runtime's counters in Prometheus text format,
//! and the `/health`, `/ready` and `/alive` probes.
//!
//! Counters stay per shard on the hot path; a scrape reads them once
//! ([`actor_core::Handle::metrics`]) and turns them into metric families.

mod health;
mod prometheus_text;

pub use health::{Health, Probe, ProbeAnswer};
pub use prometheus_text::{CONTENT_TYPE, ExportError, Exporter, RuntimeCollector};
