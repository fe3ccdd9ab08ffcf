/** Levenshtein distance, for "did you mean" hints. */
export function distance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const cur = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
            prev = cur;
        }
    }
    return row[b.length];
}

/** The candidate nearest to `value` when it is at most `max` edits away (a likely typo), else undefined. */
export function nearest(value: string, candidates: readonly string[], max = 3): string | undefined {
    const best = [...candidates].sort((a, b) => distance(value, a) - distance(value, b))[0];
    return best !== undefined && distance(value, best) <= max ? best : undefined;
}
