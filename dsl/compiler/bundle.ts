/**
 * Bundling a `nodepool.config.ts` with esbuild: the operator's file, its local modules and npm
 * packages, and `nodepool/dsl` (provided by this package, so the config needs no package.json),
 * into one ES module that `evaluate.ts` runs.
 */
import { build, type Message, type Plugin } from "esbuild";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { dslEntry, dslEvaluator } from "./package-root.ts";

export interface ConfigBundle {
  /** The ES module; its default export resolves to an `Evaluation`. */
  code: string;
  /** Absolute paths of the files that went into it (for reload checks and messages). */
  inputs: string[];
}

export interface BundleFailure {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

const EVALUATOR = "nodepool/dsl/_evaluate";

const provideDsl: Plugin = {
  name: "nodepool-dsl",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^nodepool\/dsl$/ }, () => ({ path: dslEntry() }));
    pluginBuild.onResolve({ filter: /^nodepool\/dsl\/_evaluate$/ }, () => ({ path: dslEvaluator() }));
  },
};

function failure(message: Message, entry: string): BundleFailure {
  const location = message.location;
  if (location === null) return { file: entry, message: message.text };
  return { file: resolve(location.file), line: location.line, column: location.column + 1, message: message.text };
}

/**
 * Bundles `file` for evaluation at `outfile` (the path source-map positions are relative to).
 * Returns the module, or every error esbuild found, with positions in the operator's files.
 */
export async function bundleConfig(file: string, outfile: string): Promise<{ bundle: ConfigBundle } | { failures: BundleFailure[] }> {
  const entry = resolve(file);
  try {
    const result = await build({
      stdin: {
        contents: `import * as config from ${JSON.stringify(entry)};\nimport { evaluate } from "${EVALUATOR}";\nexport default () => evaluate(config);\n`,
        resolveDir: dirname(entry),
        sourcefile: "nodepool-config-entry.ts",
        loader: "ts",
      },
      absWorkingDir: dirname(entry),
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      target: "node20",
      outfile,
      sourcemap: "inline",
      sourcesContent: false,
      metafile: true,
      logLevel: "silent",
      plugins: [provideDsl],
      // The bundle runs from a temporary file: `import.meta` names the config file instead, so a config
      // can read files beside it (`new URL("./hosts.json", import.meta.url)`).
      define: {
        "import.meta.url": JSON.stringify(pathToFileURL(entry).href),
        "import.meta.filename": JSON.stringify(entry),
        "import.meta.dirname": JSON.stringify(dirname(entry)),
      },
      // CommonJS packages bundled into an ES module still call require() for Node built-ins.
      banner: { js: `import { createRequire as __nodepoolRequire } from "node:module"; const require = __nodepoolRequire(${JSON.stringify(entry)});` },
    });
    const output = result.outputFiles[0];
    if (output === undefined) return { failures: [{ file: entry, message: "esbuild produced no output" }] };
    const base = dirname(entry);
    const inputs = Object.keys(result.metafile.inputs)
      .filter((input) => !input.startsWith("<stdin>") && !input.startsWith("nodepool-config-entry"))
      .map((input) => resolve(base, input));
    return { bundle: { code: output.text, inputs } };
  } catch (error) {
    if (error instanceof Error && "errors" in error && Array.isArray(error.errors)) {
      return { failures: (error.errors as Message[]).map((message) => failure(message, entry)) };
    }
    throw error;
  }
}
