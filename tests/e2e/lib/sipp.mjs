// SIPp (Debian's sip-tester) as the far end of the softphone's calls: the
// scenarios are the Rust SIP tests' own, in fixtures/sipp.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, repoRoot } from "./server.mjs";

const scenario = (name) => join(repoRoot, "fixtures/sipp", name);

/** SIPp's stderr and its error log, for assertion messages. */
function logOf(dir, stderr) {
  let log = stderr;
  for (const file of readdirSync(dir)) log += readFileSync(join(dir, file), "utf8");
  return log;
}

/**
 * A desk phone registered as `extension` (password demo + extension) that
 * answers one call (A-law and the caller's RFC 4733 events) and sends back
 * every RTP packet it gets. Returns
 * { done: Promise<{ ok, log }>, stop() }.
 */
export async function echoingPhone(sip, extension) {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-sipp-"));
  const port = await freePort();
  const mediaPort = await freePort();
  const child = spawn("sipp", ["-sf", scenario("phone_echoes_events.xml"), "-i", "127.0.0.1", "-p", String(port),
    "-mp", String(mediaPort), "-rtp_echo", "-m", "1", "-timeout", "120", "-timeout_error", "-trace_err", "-nostdin"],
    { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const done = new Promise((resolve) => child.on("exit", (code) => resolve({ ok: code === 0, log: logOf(dir, stderr) })));
  await new Promise((r) => setTimeout(r, 500));
  const register = spawnSync("sipp", [sip, "-sf", scenario("register.xml"), "-m", "1", "-l", "1", "-i", "127.0.0.1",
    "-t", "u1", "-s", extension, "-au", extension, "-ap", `demo${extension}`, "-p", String(await freePort()),
    "-key", "contact", `127.0.0.1:${port}`, "-timeout", "20", "-timeout_error", "-nostdin"],
    { cwd: dir, encoding: "utf8", timeout: 30_000 });
  if (register.status !== 0) {
    child.kill("SIGKILL");
    throw new Error(`SIPp could not register ${extension}: ${register.stderr}${logOf(dir, "")}`);
  }
  return { done, stop: () => child.kill("SIGKILL") };
}

/**
 * The PBX (SIPp on 127.0.0.2, the demo trunk's peer) calls `extension` and,
 * once answered, plays SIPp's 7 s recording, then hangs up.
 * Returns a Promise<{ ok, log }>.
 */
export async function trunkCallsAndTalks(sip, extension) {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-sipp-"));
  const child = spawn("sipp", [sip, "-sf", scenario("trunk_plays_audio.xml"), "-m", "1", "-l", "1", "-i", "127.0.0.2",
    "-t", "u1", "-s", extension, "-p", String(await freePort()), "-mp", String(await freePort()),
    "-timeout", "60", "-timeout_error", "-trace_err", "-nostdin"],
    { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ ok: code === 0, log: logOf(dir, stderr) })));
}

/** The PBX trunk calls `extension` and waits, once answered, for the
 * server to hang up on it (BYE). */
export async function trunkIsHungUpOn(sip, extension) {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-sipp-"));
  const child = spawn("sipp", [sip, "-sf", scenario("trunk_is_hung_up_on.xml"), "-m", "1", "-l", "1", "-i", "127.0.0.2",
    "-t", "u1", "-s", extension, "-key", "number", "+4930123456", "-p", String(await freePort()), "-mp", String(await freePort()),
    "-timeout", "60", "-timeout_error", "-trace_err", "-nostdin"],
    { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ ok: code === 0, log: logOf(dir, stderr) })));
}

/**
 * The carrier behind the server's `carrier` trunk: SIPp listening on the
 * trunk's peer `address` ("127.0.0.3:PORT") for `calls` calls, answering by
 * the last digit of the number called (...1 answers and waits for our BYE,
 * ...2 is busy, ...3 rings unanswered; fixtures/sipp/carrier_answers_by_number.xml).
 * Returns { done: Promise<{ ok, log }>, stop() }: stop() kills it by its pid.
 */
export async function carrierAnswersByNumber(address, calls = 1) {
  const [ip, port] = address.split(":");
  const dir = mkdtempSync(join(tmpdir(), "switchboard-sipp-"));
  const child = spawn("sipp", ["-sf", scenario("carrier_answers_by_number.xml"), "-i", ip, "-p", port,
    "-mp", String(await freePort()), "-m", String(calls), "-timeout", "90", "-timeout_error", "-trace_err", "-nostdin"],
    { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  let exited = false;
  const done = new Promise((resolve) => child.on("exit", (code) => {
    exited = true;
    resolve({ ok: code === 0, log: logOf(dir, stderr) });
  }));
  // Listening before the dialler's first INVITE.
  await new Promise((r) => setTimeout(r, 500));
  return {
    done,
    stop: () => {
      if (!exited) process.kill(child.pid, "SIGKILL");
    },
  };
}
