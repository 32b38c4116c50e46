//! `aigw emulator`: the standalone ARM emulator validates request bodies against the Azure
//! specifications built into the binary, whatever the machine has on disk.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::support::*;

/// Kills the emulator when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `aigw emulator` on a free port and returns it with its URL (from its start-up lines).
fn start_emulator() -> (Running, String) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("aigw"))
        .args(["emulator", "--port", "0", "--latency", "0"])
        .current_dir(repo_root())
        // Before the specifications were built in, this made the emulator fall back to
        // structural checks; now nothing outside the binary is read.
        .env("AIGW_AZURE_SPECS", "/nonexistent")
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("TF_BUILD")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = child.stderr.take().unwrap_or_else(|| panic!("no stderr"));
    let running = Running(child);
    let mut lines = BufReader::new(stderr);
    let mut seen = String::new();
    let url = loop {
        let mut line = String::new();
        let read = lines.read_line(&mut line).unwrap_or_else(|e| panic!("{e}"));
        assert!(read > 0, "aigw emulator exited before serving:\n{seen}");
        seen.push_str(&line);
        if let Some(at) = line.find("--arm-endpoint ") {
            let rest = &line[at + "--arm-endpoint ".len()..];
            break rest
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string();
        }
    };
    // Keep draining its log so the emulator never blocks on a full pipe.
    std::thread::spawn(move || {
        let _ = lines.read_to_end(&mut Vec::new());
    });
    (running, url)
}

#[test]
fn the_standalone_emulator_rejects_a_body_the_specification_does_not_allow() {
    let (_emulator, url) = start_emulator();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    aigw::tls::install_crypto_provider();
    let client = reqwest::Client::new();
    let put = |path: String, body: Value| {
        let request = client
            .put(format!("{url}{path}"))
            .bearer_auth("anything")
            .json(&body)
            .timeout(std::time::Duration::from_secs(30));
        runtime.block_on(async move {
            let response = request.send().await.unwrap_or_else(|e| panic!("{e}"));
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
