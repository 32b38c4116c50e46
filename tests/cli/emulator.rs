//! `aigw emulator` on its own, as a user runs it: a separate process on a free port, a deploy
//! pointed at it (rehearsing faults), and request bodies validated against the Azure
//! specifications built into the binary, whatever the machine has on disk.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::support::*;

/// A running `aigw emulator` process, stopped when dropped (also when a test fails).
struct Standalone {
    child: Child,
    url: String,
    /// The rest of its log, read in the background so the emulator never blocks on a full pipe.
    log: Option<std::thread::JoinHandle<String>>,
}

impl Standalone {
    fn start(args: &[&str]) -> Standalone {
        let mut child = Command::new(env!("CARGO_BIN_EXE_aigw"))
            .arg("emulator")
            .args(["--port", "0"])
            .args(args)
            .env("NO_COLOR", "1")
            // Before the specifications were built in, this made the emulator fall back to
            // structural checks; now nothing outside the binary is read.
            .env("AIGW_AZURE_SPECS", "/nonexistent")
            .env_remove("AIGW_CI")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("aigw emulator");
        let stderr = child.stderr.take().expect("no stderr pipe");
        let mut reader = BufReader::new(stderr);
        let mut seen = String::new();
        // The emulator logs its address once it listens; EOF means it exited.
        let url = loop {
            let mut line = String::new();
            let read = reader.read_line(&mut line).unwrap_or(0);
            if read == 0 {
                let _ = child.kill();
                panic!("aigw emulator exited before listening:\n{seen}");
            }
            seen.push_str(&line);
            if let Some(at) = line.find("ARM emulator on ") {
                let rest = &line[at + "ARM emulator on ".len()..];
                break rest
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_string();
            }
        };
        let log = std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = reader.read_to_string(&mut rest);
            seen + &rest
        });
        Standalone {
            child,
            url,
            log: Some(log),
        }
    }

    /// `aigw deploy` against it, waits scaled so the run takes milliseconds.
    fn deploy(&self) -> (serde_json::Value, i32, String) {
        let output = aigw_cmd()
            .args(["deploy", "--params", EXAMPLE, "--output", "json"])
            .args(["--arm-endpoint", &self.url, "--auth", "token"])
            .args(["--subscription-id", "5ca1ab1e-0000-4000-8000-00000000a16e"])
            .env("AZURE_ACCESS_TOKEN", "anything")
            .env("AIGW_TEST_TIME_SCALE", "0.01")
            .output()
            .expect("command runs");
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let report = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("not one JSON document ({e}):\n{stderr}"));
        (report, output.status.code().unwrap_or(-1), stderr)
    }

    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.log
            .take()
            .and_then(|log| log.join().ok())
            .unwrap_or_default()
    }
}

impl Drop for Standalone {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn faults_given_to_aigw_emulator_are_met_by_a_deploy_and_a_lost_put_converges() {
    // Provisioning at 1/1000 of Azure's times: an AI Foundry account takes 30 ms, which the
    // retries of the lost PUT outlast (their waits are scaled to 1/100).
    let emulator = Standalone::start(&[
        "--latency",
        "0.001",
        "--fault",
        "lose-response:method=PUT,type=Microsoft.CognitiveServices/accounts,times=1",
        "--fault",
        "throttle:method=PUT,type=Microsoft.ManagedIdentity/userAssignedIdentities,times=2,retry-after=1",
    ]);
    let (report, code, stderr) = emulator.deploy();
    assert_eq!(code, 0, "{report:#}\n{stderr}");
    assert_eq!(report["outcome"], "succeeded", "{report:#}");
    // Both faults were met: the throttled identity, and the account PUT whose answer was lost.
    // The retry of that PUT did not meet RequestConflict until it gave up: the account's
    // operation finished by time, so a later attempt found it done.
    assert!(stderr.contains("429 TooManyRequests"), "{stderr}");
    assert!(
        stderr.lines().any(|l| l.contains("retrying PUT")
            && l.contains("/Microsoft.CognitiveServices/accounts/cog-")
            && l.contains("connection closed before message completed")),
        "the lost answer was retried:\n{stderr}"
    );
    assert!(
        report["requests"]["retries"].as_u64().unwrap_or(0) >= 3,
        "{}",
        report["requests"]
    );
    // The same final state as without faults: a second deploy changes nothing.
    let (again, code, stderr) = emulator.deploy();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(again["outcome"], "no-changes", "{again:#}");
    let log = emulator.stop();
    assert!(log.contains("fault injected: LoseResponse"), "{log}");
}

#[test]
fn the_standalone_emulator_rejects_a_body_the_specification_does_not_allow() {
    let emulator = Standalone::start(&["--latency", "0"]);
    let url = emulator.url.clone();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("async runtime");
    aigw::tls::install_crypto_provider();
    let client = reqwest::Client::new();
    let put = |path: String, body: Value| {
        let request = client
            .put(format!("{url}{path}"))
            .bearer_auth("anything")
            .json(&body)
            .timeout(std::time::Duration::from_secs(30));
        runtime.block_on(async move {
            let response = request.send().await.expect("request sent");
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            (status, body)
        })
    };
    let group = "/subscriptions/5ca1ab1e-0000-4000-8000-00000000a16e/resourcegroups/rg-specs";
    let (status, body) = put(
        format!("{group}?api-version=2021-04-01"),
        json!({ "location": "westeurope" }),
    );
    assert_eq!(status, 201, "{body:#}");

    // `isolationScope` misspelt: only the specification knows the property names.
    let identity = format!(
        "{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-specs?api-version=2024-11-30"
    );
    let (status, body) = put(
        identity.clone(),
        json!({ "location": "westeurope", "properties": { "isolationScop": "None" } }),
    );
    assert_eq!(status, 400, "{body:#}");
    assert_eq!(body["error"]["code"], "InvalidRequestContent", "{body:#}");
    assert!(
        body.to_string().contains("properties.isolationScop"),
        "the error names the property: {body:#}"
    );

    let (status, body) = put(identity, json!({ "location": "westeurope" }));
    assert_eq!(status, 201, "a valid body is accepted: {body:#}");
}
