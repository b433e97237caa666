import type { ChildProcess } from 'node:child_process';

/** Keeps the last `max` lines a child prints (stdout and stderr), for failure messages. */
export function keepOutputTail(child: ChildProcess, max = 60): () => string {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - max));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => lines.join('\n');
}
