// Azure DevOps task shim for aigw: reads the task inputs and the Azure Resource Manager service
// connection, and runs the bundled (bin/) or downloaded aigw binary with them. aigw itself speaks
// the logging-command protocol (output variables, summary, task.complete); this file only maps
// inputs to arguments and the connection to the environment variables aigw's credential chain
// reads. Secrets are registered with setSecret before anything could print them.
'use strict';

const tl = require('azure-pipelines-task-lib/task');
const { spawn, execFileSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const TARGETS = {
  'linux-x64': 'x86_64-unknown-linux-musl',
  'linux-arm64': 'aarch64-unknown-linux-musl',
  'darwin-x64': 'x86_64-apple-darwin',
  'darwin-arm64': 'aarch64-apple-darwin',
  'win32-x64': 'x86_64-pc-windows-msvc',
};

function executableName() {
  return process.platform === 'win32' ? 'aigw.exe' : 'aigw';
}

async function download(url) {
  const response = await fetch(url, { redirect: 'follow' });
  if (!response.ok) {
    throw new Error(`download of ${url} failed: HTTP ${response.status}`);
  }
  return Buffer.from(await response.arrayBuffer());
}

// The bundled binary, else the release for this platform, verified against SHA256SUMS.
async function aigwBinary(version) {
  const bundled = path.join(__dirname, 'bin', executableName());
  if (fs.existsSync(bundled)) {
    return bundled;
  }
  if (!/^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(version)) {
    throw new Error(`version '${version}' is not a release version like 0.1.0`);
  }
  const target = TARGETS[`${process.platform}-${process.arch}`];
  if (!target) {
    throw new Error(`no aigw build for ${process.platform}-${process.arch}`);
  }
  const toolsRoot = tl.getVariable('Agent.ToolsDirectory') || os.tmpdir();
  const dir = path.join(toolsRoot, 'aigw', version, process.arch);
  const exe = path.join(dir, executableName());
  if (fs.existsSync(`${dir}.complete`) && fs.existsSync(exe)) {
    return exe;
  }
  const base = process.env.AIGW_RELEASE_BASE_URL || `https://github.com/aigw/aigw/releases/download/v${version}`;
  const asset = `aigw-${version}-${target}.tar.gz`;
  const [archive, sums] = await Promise.all([download(`${base}/${asset}`), download(`${base}/SHA256SUMS`)]);
  const line = sums.toString('utf8').split('\n').find((l) => l.trim().split(/\s+\*?/)[1] === asset);
  const expected = line ? line.trim().split(/\s+/)[0] : '';
  const actual = crypto.createHash('sha256').update(archive).digest('hex');
  if (!/^[0-9a-f]{64}$/.test(expected) || expected !== actual) {
    throw new Error(`checksum mismatch for ${asset} (expected ${expected || 'none'}, got ${actual}); refusing to run it`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const archivePath = path.join(dir, asset);
  fs.writeFileSync(archivePath, archive);
  execFileSync('tar', ['-xzf', archivePath, '-C', dir]);
  fs.rmSync(archivePath);
  fs.chmodSync(exe, 0o755);
  fs.writeFileSync(`${dir}.complete`, '');
  return exe;
}

// Maps the service connection onto aigw's credential environment.
function connectionEnvironment(connection, env, args) {
  const scheme = (tl.getEndpointAuthorizationScheme(connection, true) || '').toLowerCase();
  const tenant = tl.getEndpointAuthorizationParameter(connection, 'tenantid', true);
  const client = tl.getEndpointAuthorizationParameter(connection, 'serviceprincipalid', true);
  const subscription = tl.getEndpointDataParameter(connection, 'subscriptionid', true);
  if (subscription) {
    env.AZURE_SUBSCRIPTION_ID = subscription;
  }
  if (scheme === 'workloadidentityfederation') {
    const systemToken = tl.getEndpointAuthorizationParameter('SYSTEMVSSCONNECTION', 'AccessToken', false);
    tl.setSecret(systemToken);
    env.AZURESUBSCRIPTION_SERVICE_CONNECTION_ID = connection;
    env.AZURESUBSCRIPTION_CLIENT_ID = client;
    env.AZURESUBSCRIPTION_TENANT_ID = tenant;
    env.SYSTEM_ACCESSTOKEN = systemToken;
    env.SYSTEM_OIDCREQUESTURI = tl.getVariable('System.OidcRequestUri') || process.env.SYSTEM_OIDCREQUESTURI || '';
    args.push('--auth', 'azure-pipelines');
  } else if (scheme === 'serviceprincipal') {
    const secret = tl.getEndpointAuthorizationParameter(connection, 'serviceprincipalkey', false);
    tl.setSecret(secret);
    env.AZURE_CLIENT_ID = client;
    env.AZURE_TENANT_ID = tenant;
    env.AZURE_CLIENT_SECRET = secret;
    args.push('--auth', 'client-secret');
  } else if (scheme === 'managedserviceidentity') {
    args.push('--auth', 'managed-identity');
  } else {
    throw new Error(`service connection scheme '${scheme}' is not supported; use workload identity federation`);
  }
}

async function main() {
  const command = tl.getInput('command', true);
  if (!['validate', 'plan', 'deploy'].includes(command)) {
    throw new Error(`command must be validate, plan or deploy (got '${command}')`);
  }
  const args = [command, '--params', tl.getPathInput('params', true, true), '--ci', 'azure-devops'];
  const env = { ...process.env };
  if (command !== 'validate') {
    const connection = tl.getInput('azureSubscription', false);
    if (connection) {
      connectionEnvironment(connection, env, args);
    }
    const subscription = tl.getInput('subscriptionId', false);
    if (subscription) {
      args.push('--subscription-id', subscription);
    }
    args.push('--arm-endpoint', tl.getInput('armEndpoint', false) || 'https://management.azure.com');
  }
  const extra = (tl.getInput('args', false) || '').split(/\s+/).filter((a) => a.length > 0);
  args.push(...extra);

  const binary = await aigwBinary(tl.getInput('version', false) || '0.1.0');
  const code = await new Promise((resolve) => {
    const child = spawn(binary, args, { stdio: 'inherit', env });
    child.on('error', (error) => {
      console.error(`cannot run ${binary}: ${error.message}`);
      resolve(1);
    });
    child.on('close', (status) => resolve(status === null ? 1 : status));
  });
  if (code !== 0) {
    tl.setResult(tl.TaskResult.Failed, `aigw ${command} exited with code ${code}`);
  }
}

main().catch((error) => tl.setResult(tl.TaskResult.Failed, error.message));
