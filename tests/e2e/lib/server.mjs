// Starts a real Switchboard server for the browser tests: a fresh database
// loaded with the demo data, a free loopback port, the built web app.
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export { freePort };

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

function binaryPath() {
  const bin = process.env.SWITCHBOARD_BIN || "target/debug/switchboard";
  return isAbsolute(bin) ? bin : join(repoRoot, bin);
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Loads the demo data and starts `switchboard serve`. Returns
 * { baseUrl, sip (its UDP/TCP address), carrier (the `carrier` trunk's
 * peer address, for a SIPp carrier), database, stop(), log() }.
 */
export async function startServer() {
  const bin = binaryPath();
  if (!existsSync(bin)) throw new Error(`server binary not found at ${bin} (build it, or set SWITCHBOARD_BIN)`);
  const webDir = join(repoRoot, "web", "dist");
  if (!existsSync(join(webDir, "index.html"))) {
    throw new Error(`${webDir}/index.html is missing: run "npm ci && npm run build" in web/ first`);
  }

  const tmp = mkdtempSync(join(tmpdir(), "switchboard-e2e-"));
  const database = process.env.SWITCHBOARD_E2E_DATABASE || `sqlite://${tmp}/db.sqlite`;
  // The demo's voice prompts (the menu on 800, hold music, ringback), made
  // from text by espeak-ng and sox as a user's first command makes them.
  const prompts = join(tmp, "prompts");
  const made = spawnSync("bash", [join(repoRoot, "scripts/prompts"), prompts], { cwd: repoRoot, encoding: "utf8", timeout: 120_000 });
  if (made.status !== 0) throw new Error(`scripts/prompts failed:\n${made.stdout}\n${made.stderr}`);
  const env = {
    ...process.env,
    SWITCHBOARD_WEB_DIR: webDir,
    SWITCHBOARD_PROMPTS_DIR: prompts,
    SWITCHBOARD_RECORDINGS_DIR: join(tmp, "recordings"),
    SWITCHBOARD_SPOOL_DIR: join(tmp, "spool"),
    RUST_LOG: process.env.RUST_LOG || "info",
  };

  const demo = spawnSync(bin, ["demo", "--database", database], { cwd: repoRoot, env, encoding: "utf8", timeout: 120_000 });
  if (demo.status !== 0) {
    throw new Error(`"switchboard demo" failed (${demo.status ?? demo.signal}):\n${demo.stdout}\n${demo.stderr}`);
  }

  const port = await freePort();
  // SIP on a port of its own, known, so SIPp phones can register to it.
  const sipPort = await freePort();
  const logPath = join(tmp, "server.log");
  const logFile = createWriteStream(logPath);
  // The demo's PBX trunk, its peer on 127.0.0.2 as in the Rust SIP tests:
  // calls from there are the PBX's, and are recorded.
  const trunkPort = await freePort();
  // A carrier the campaigns' dialler calls out through, on 127.0.0.3 so no
  // other test's SIPp is taken for it; no OPTIONS pings (SIPp would count
  // them as calls).
  const carrier = `127.0.0.3:${await freePort()}`;
  const config = join(tmp, "switchboard.toml");
  writeFileSync(
    config,
    `[[trunks]]\nname = "demo-pbx"\nvendor = "generic"\npeers = ["127.0.0.2:${trunkPort}"]\noptions_interval_secs = 0\nrecord = true\n\n` +
      `[[trunks]]\nname = "carrier"\nvendor = "generic"\npeers = ["${carrier}"]\noptions_interval_secs = 0\n`,
  );
  const child = spawn(bin, ["serve", "--config", config, "--database", database, "--http", `127.0.0.1:${port}`, "--sip", `127.0.0.1:${sipPort}`], {
    cwd: repoRoot, // the demo and the server find fixtures/ relative to the working directory
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.pipe(logFile);
  child.stderr.pipe(logFile);
  let exited = null;
  child.on("exit", (code, signal) => (exited = { code, signal }));

  const baseUrl = `http://127.0.0.1:${port}`;
  const log = () => (existsSync(logPath) ? readFileSync(logPath, "utf8") : "");
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`server exited early (${JSON.stringify(exited)}):\n${log()}`);
    try {
      const res = await fetch(`${baseUrl}/readyz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      process.kill(child.pid, "SIGKILL");
      throw new Error(`server not ready within 60 s:\n${log()}`);
    }
    await sleep(200);
  }

  async function stop() {
    if (!exited) {
      process.kill(child.pid, "SIGTERM");
      const until = Date.now() + 10_000;
      while (!exited && Date.now() < until) await sleep(100);
      if (!exited) process.kill(child.pid, "SIGKILL");
    }
    logFile.end();
    if (!process.env.SWITCHBOARD_E2E_KEEP) rmSync(tmp, { recursive: true, force: true });
  }

  return { baseUrl, sip: `127.0.0.1:${sipPort}`, carrier, database, demoOutput: demo.stdout, stop, log, tmp };
}
