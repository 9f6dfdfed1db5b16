/**
 * `nodepool convert`: a configuration as written (parsed YAML) to an idiomatic `nodepool.config.ts`.
 * Top-level labels and diskimages, and each provider's cloud-images, become handles declared once;
 * every reference to them (pool labels, provider diskimages, static node labels, `parent`) uses
 * `handle.name`, so the file compiles back to the same configuration and typos become compile errors.
 */

type Plain = unknown;

/** Code to print as is (a handle or a reference to one) inside a value. */
class Code {
  constructor(readonly text: string) {}
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date) && !(value instanceof Code);
}

const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for function if " +
    "import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements " +
    "interface package private protected public await undefined NaN Infinity " +
    "defineConfig label diskimage cloudImage secret"
  ).split(" "),
);

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

class Names {
  private readonly used = new Set<string>();

  allocate(name: string, suffix: string): string {
    const words = name.split(/[^A-Za-z0-9]+/).filter((word) => word !== "");
    let base = words.map((word, i) => (i === 0 ? word.charAt(0).toLowerCase() + word.slice(1) : word.charAt(0).toUpperCase() + word.slice(1))).join("");
    if (!base.toLowerCase().endsWith(suffix.toLowerCase())) base += base === "" ? suffix.toLowerCase() : suffix;
    if (/^[0-9]/.test(base)) base = `_${base}`;
    let candidate = base;
    for (let n = 2; RESERVED.has(candidate) || this.used.has(candidate); n++) candidate = `${base}${n}`;
    this.used.add(candidate);
    return candidate;
  }
}

interface Handle {
  ident: string;
  helper: "label" | "diskimage" | "cloudImage";
  definition: Record<string, unknown>;
}

function key(name: string): string {
  return IDENTIFIER.test(name) && !name.includes("$") ? name : JSON.stringify(name);
}

function scalar(value: unknown): string {
  if (value instanceof Date) return `new Date(${JSON.stringify(value.toISOString())})`;
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null || typeof value === "boolean") return String(value);
  return JSON.stringify(value) ?? "null";
}

const WIDTH = 100;

/** TypeScript source of a value: one line when it fits, else one item per line. */
function print(value: Plain, indent: string): string {
  if (value instanceof Code) return value.text;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    const items = value.map((item) => print(item, inner));
    const flat = `[${items.join(", ")}]`;
    if (!flat.includes("\n") && flat.length + indent.length <= WIDTH) return flat;
    return `[\n${items.map((item) => `${inner}${item},\n`).join("")}${indent}]`;
  }
  if (isRecord(value)) {
    const entries = Object.entries(value).map(([name, item]) => `${key(name)}: ${print(item, inner)}`);
    if (entries.length === 0) return "{}";
    const flat = `{ ${entries.join(", ")} }`;
    if (!flat.includes("\n") && flat.length + indent.length <= WIDTH) return flat;
    return `{\n${entries.map((entry) => `${inner}${entry},\n`).join("")}${indent}}`;
  }
  return scalar(value);
}

class Converter {
  private readonly names = new Names();
  readonly handles: Handle[] = [];
  private readonly labels = new Map<string, Handle>();
  private readonly diskimages = new Map<string, Handle>();

  private declare(helper: Handle["helper"], definition: Record<string, unknown>, suffix: string, prefix = ""): Handle {
    const name = String(definition.name);
    const handle: Handle = { ident: this.names.allocate(`${prefix} ${name}`, suffix), helper, definition };
    this.handles.push(handle);
    return handle;
  }

  /** Top-level entries with a string name become handles; anything else stays as written. */
  private handlesFor(list: unknown, helper: "label" | "diskimage", suffix: string, byName: Map<string, Handle>): unknown {
    if (!Array.isArray(list)) return list;
    return list.map((item: unknown) => {
      if (!isRecord(item) || typeof item.name !== "string") return item;
      const handle = this.declare(helper, item, suffix);
      // Duplicate names: the reference keeps the last definition, so references go to it.
      byName.set(item.name, handle);
      return new Code(handle.ident);
    });
  }

  private ref(name: unknown, byName: Map<string, Handle>): unknown {
    const handle = typeof name === "string" ? byName.get(name) : undefined;
    return handle === undefined ? name : new Code(`${handle.ident}.name`);
  }

  private withRef(item: unknown, field: string, byName: Map<string, Handle>): unknown {
    if (!isRecord(item) || !(field in item)) return item;
    return { ...item, [field]: this.ref(item[field], byName) };
  }

  private poolLabel(item: unknown, cloudImages: Map<string, Handle>): unknown {
    if (!isRecord(item)) return this.ref(item, this.labels);
    let out = this.withRef(item, "name", this.labels);
    out = this.withRef(out, "diskimage", this.diskimages);
    return this.withRef(out, "cloud-image", cloudImages);
  }

  private staticNode(written: unknown): unknown {
    if (!isRecord(written)) return written;
    // `ssh-port` is the deprecated name of `connection-port`, which wins when both are given (§4.5).
    const { "ssh-port": sshPort, ...node } = written;
    if (sshPort !== undefined && !("connection-port" in node)) node["connection-port"] = sshPort;
    const labels = node.labels;
    if (Array.isArray(labels)) return { ...node, labels: labels.map((name: unknown) => this.ref(name, this.labels)) };
    if (typeof labels === "string" && !/\s/.test(labels.trim())) return { ...node, labels: this.ref(labels, this.labels) };
    return node;
  }

  private pool(pool: unknown, cloudImages: Map<string, Handle>): unknown {
    if (!isRecord(pool)) return pool;
    const out: Record<string, unknown> = { ...pool };
    if (Array.isArray(pool.labels)) out.labels = pool.labels.map((item: unknown) => this.poolLabel(item, cloudImages));
    if (Array.isArray(pool.nodes)) out.nodes = pool.nodes.map((node: unknown) => this.staticNode(node));
    return out;
  }

  private provider(provider: unknown): unknown {
    if (!isRecord(provider)) return provider;
    const out: Record<string, unknown> = { ...provider };
    const cloudImages = new Map<string, Handle>();
    if (Array.isArray(provider["cloud-images"])) {
      out["cloud-images"] = provider["cloud-images"].map((image: unknown) => {
        if (!isRecord(image) || typeof image.name !== "string") return image;
        const handle = this.declare("cloudImage", image, "CloudImage", typeof provider.name === "string" ? provider.name : "");
        cloudImages.set(image.name, handle);
        return new Code(handle.ident);
      });
    }
    if (Array.isArray(provider.diskimages)) {
      out.diskimages = provider.diskimages.map((item: unknown) => this.withRef(item, "name", this.diskimages));
    }
    if (Array.isArray(provider.pools)) out.pools = provider.pools.map((pool: unknown) => this.pool(pool, cloudImages));
    return out;
  }

  config(config: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...config };
    if ("labels" in config) out.labels = this.handlesFor(config.labels, "label", "", this.labels);
    if ("diskimages" in config) out.diskimages = this.handlesFor(config.diskimages, "diskimage", "Image", this.diskimages);
    for (const handle of this.handles.filter((h) => h.helper === "diskimage")) {
      handle.definition = this.withRef(handle.definition, "parent", this.diskimages) as Record<string, unknown>;
    }
    if (Array.isArray(config.providers)) out.providers = config.providers.map((provider: unknown) => this.provider(provider));
    return out;
  }
}

export interface ConvertOptions {
  /** The YAML file named in the header comment. */
  source: string;
}

/** The `nodepool.config.ts` source for a configuration as written (the parsed YAML, not the effective config). */
export function convertToDsl(config: unknown, options: ConvertOptions): string {
  const header = `// Converted by \`nodepool convert\` from ${options.source}. Compile it with \`nodepool compile\`.\n`;
  if (!isRecord(config)) return `${header}import { defineConfig } from "nodepool/dsl";\n\nexport default defineConfig(${print(config, "")});\n`;
  const converter = new Converter();
  const body = converter.config(config);
  const helpers = [...new Set(converter.handles.map((handle) => handle.helper))].sort();
  const declarations = converter.handles.map((handle) => `const ${handle.ident} = ${handle.helper}(${print(handle.definition, "")});\n`);
  return [
    header,
    `import { ${["defineConfig", ...helpers].join(", ")} } from "nodepool/dsl";\n`,
    ...(declarations.length > 0 ? ["\n", ...declarations] : []),
    `\nexport default defineConfig(${print(body, "")});\n`,
  ].join("");
}
