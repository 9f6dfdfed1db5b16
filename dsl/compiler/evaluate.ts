/**
 * Running a bundled config: in a worker thread (so each evaluation's modules are freed when it
 * ends, which matters to daemons that re-read their config), from a temporary file so that Node's
 * source maps turn stack positions back into the operator's `.ts` lines.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { Evaluation } from "../_evaluate.ts";

/** A config that computes its value (reads files, calls services) gets this long to settle. */
const EVALUATION_TIMEOUT_MS = 60_000;

const RUNNER = `
const { parentPort, workerData } = require("node:worker_threads");
process.setSourceMapsEnabled(true);
import(workerData.url)
  .then((module) => module.default())
  .then((evaluation) => parentPort.postMessage(evaluation))
  .catch((error) => parentPort.postMessage({ ok: false, message: String(error && error.message || error), stack: String(error && error.stack || "") }));
`;

/** Temporary directories for bundles; frames in them are the bundle's own code, not the operator's. */
export const EVALUATION_DIR_PREFIX = join(tmpdir(), "nodepool-config-");

/** Where the bundle will be written: source-map positions are relative to it. */
export async function evaluationDir(): Promise<string> {
  return mkdtemp(EVALUATION_DIR_PREFIX);
}

/** Runs the bundle from `outfile` (in a directory from `evaluationDir`, which the caller removes). */
export async function evaluateBundle(code: string, outfile: string): Promise<Evaluation> {
  await writeFile(outfile, code);
  return new Promise<Evaluation>((resolvePromise) => {
    // The config's own console output must not mix with YAML written to stdout.
    // execArgv: the bundle is plain JavaScript; loaders the parent runs under (tsx in tests) are not needed.
    const worker = new Worker(RUNNER, { eval: true, stdout: true, execArgv: [], workerData: { url: pathToFileURL(outfile).href } });
    worker.stdout.pipe(process.stderr);
    const settle = (evaluation: Evaluation): void => {
      clearTimeout(timer);
      resolvePromise(evaluation);
      void worker.terminate();
    };
    const timer = setTimeout(
      () => settle({ ok: false, message: `the default export did not settle within ${EVALUATION_TIMEOUT_MS / 1000} s`, stack: "" }),
      EVALUATION_TIMEOUT_MS,
    );
    worker.once("message", settle);
    worker.once("error", (error) => settle({ ok: false, message: error.message, stack: error.stack ?? "" }));
    worker.once("exit", (exitCode) =>
      settle({ ok: false, message: `the config ended the evaluation (exit ${exitCode}) without a result; does it call process.exit()?`, stack: "" }),
    );
  });
}
