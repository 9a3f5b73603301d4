/** A binary min-heap of `[key, ruleId]` kept in a plain array, so it serialises with the state. */

export function pushTimer(heap: Array<[number, string]>, second: number, ruleId: string): void {
  heap.push([second, ruleId]);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if ((heap[parent] as [number, string])[0] <= second) break;
    [heap[i], heap[parent]] = [heap[parent] as [number, string], heap[i] as [number, string]];
    i = parent;
  }
}

/** Removes and returns the earliest entry if its key is at or before `second`, else undefined. */
export function popDueTimer(heap: Array<[number, string]>, second: number): [number, string] | undefined {
  const top = heap[0];
  if (top === undefined || top[0] > second) return undefined;
  const last = heap.pop() as [number, string];
  if (heap.length > 0) {
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && (heap[left] as [number, string])[0] < (heap[smallest] as [number, string])[0]) smallest = left;
      if (right < heap.length && (heap[right] as [number, string])[0] < (heap[smallest] as [number, string])[0]) smallest = right;
      if (smallest === i) break;
      [heap[i], heap[smallest]] = [heap[smallest] as [number, string], heap[i] as [number, string]];
      i = smallest;
    }
  }
  return top;
}
