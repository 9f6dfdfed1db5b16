/** "Did you mean": the closest known spelling of a mistyped key or name. */

/** `min_ram`, `Min-Ram` and `min-ram` are the same word to a person. */
function normalise(word: string): string {
  return word.toLowerCase().replaceAll("_", "-");
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The candidate a person most likely meant, or nothing when none is close: same word up to
 * case and `_`/`-`, a key that extends the word (`region` → `region-name`), or a few typos.
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const wanted = normalise(word);
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const name = normalise(candidate);
    if (candidate === word) continue;
    const score = name === wanted ? 0 : name.startsWith(`${wanted}-`) ? 1 : editDistance(wanted, name) + 1;
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  const limit = Math.max(2, Math.floor(wanted.length / 3)) + 1;
  return bestScore <= limit ? best : undefined;
}
