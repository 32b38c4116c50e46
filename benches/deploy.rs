//! Deploy benchmark: the example stack against the ARM emulator with a realistic latency profile
//! scaled down, then a no-op redeploy. Reports wall time against the sum of emulated provisioning
//! latencies (what aigw itself adds) and the ARM requests by kind. Not a test: figures only.
//!
//!     cargo bench --bench deploy [-- SCALE]        (default SCALE 0.01: API Management ≈ 3 s)

// A measuring program a developer runs, like a test: it stops at the line that failed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use aigw::arm::{ArmClient, Clock};
use aigw::auth::StaticToken;
use aigw::deploy::cancel::Cancel;
use aigw::deploy::events::Silent;
use aigw::deploy::{EngineOptions, run};
use aigw::emulator::{Emulator, LatencyProfile, RequestKind};
use aigw::params::{LoadOptions, load};
use aigw::report::{Action, Mode};

const SUBSCRIPTION: &str = "11111111-2222-3333-4444-555555555555";

fn main() {
    let scale: f64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(0.01);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("async runtime");
    runtime.block_on(bench(scale));
}

async fn bench(scale: f64) {
    let spec = load(
        std::path::Path::new("examples/main.acc.parameters.bicepparam"),
        &LoadOptions::default(),
    )
    .expect("the example parameter file is valid");
    let plan = aigw::plan::build(&spec, SUBSCRIPTION, &aigw::policy::embedded());
    let profile = LatencyProfile::realistic().scaled(scale);
    let specs = Emulator::specs().expect("embedded specifications");
    let builder = Emulator::builder()
        .latency(profile.clone())
        .token("bench")
        .specs(specs);
    let emulator = builder.start().await.expect("server started");
    let endpoint = aigw::arm::parse_endpoint(&emulator.url()).expect("valid endpoint");

    println!(
        "aigw deploy benchmark: example stack ({} resources), realistic latency × {scale}",
        plan.operation_count()
    );
    println!(
        "{:<18} {:>9} {:>12} {:>10} {:>7} {:>7} {:>7} {:>8}",
        "run", "wall", "emulated", "overhead", "reads", "writes", "polls", "retries"
    );
    for label in ["first deploy", "no-op redeploy"] {
        let before = emulator.requests().len();
        let token = Arc::new(StaticToken::new("bench".to_string().into(), "bench"));
        // aigw's own waits (Retry-After, backoff) shrink by the same factor as the emulated times.
        let client =
            ArmClient::new(endpoint.clone(), token, Clock::scaled(scale)).expect("ARM client");
        let started = Instant::now();
        let report = run(
            &plan,
            &client,
            Mode::Deploy,
            &EngineOptions::default(),
            &mut Silent,
            &Cancel::never(),
        )
        .await;
        let wall = started.elapsed();
        assert!(report.failure.is_none(), "{:?}", report.failure);
        // Emulated latency: the provisioning time of every resource that was written, and the
        // time a new custom table is not yet accepted as a data collection rule's output.
        let written: Vec<_> = report
            .stages
            .iter()
            .flat_map(|s| &s.operations)
            .filter(|o| matches!(o.action, Action::Create | Action::Update))
            .collect();
        let new_table = written.iter().any(|o| {
            o.action == Action::Create
                && o.resource_type == "Microsoft.OperationalInsights/workspaces/tables"
        });
        let emulated: Duration = written
            .iter()
            .map(|o| profile.duration_for(&o.resource_type))
            .sum::<Duration>()
            + if new_table {
                profile.output_table_delay()
            } else {
                Duration::ZERO
            };
        let log: Vec<_> = emulator.requests().into_iter().skip(before).collect();
        let kind = |k: RequestKind| log.iter().filter(|r| r.kind == k).count();
        println!(
            "{label:<18} {:>8.2}s {:>11.2}s {:>9.2}s {:>7} {:>7} {:>7} {:>8}",
            wall.as_secs_f64(),
            emulated.as_secs_f64(),
            wall.as_secs_f64() - emulated.as_secs_f64(),
            kind(RequestKind::Read),
            kind(RequestKind::Write),
            kind(RequestKind::Poll),
            report.requests.retries
        );
    }
    emulator.shutdown().await;
}
