//! Compile-fail UI tests: each mistake gives one clear error at its span.
//! Regenerate the snapshots with `TRYBUILD=overwrite` and review them.

#[test]
fn actor_macro_diagnostics_are_actionable() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
