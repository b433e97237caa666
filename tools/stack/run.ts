import { spawn, SpawnOptions } from 'node:child_process';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..');

/** A dev dependency's executable, as npm linked it (package `exports` hide the real path). */
export const localBin = (name: string): string => join(repoRoot, 'node_modules', '.bin', name);

/** Runs a command to completion; rejects with its output tail and `hint` when it fails. */
export function run(command: string, args: string[], options: SpawnOptions & { hint?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const fail = (reason: string) =>
      reject(
        new Error(
          `\`${[command, ...args].join(' ')}\` ${reason}` +
            (options.hint ? `\n${options.hint}` : '') +
            (output ? `\n--- last output ---\n${output.trim().split('\n').slice(-25).join('\n')}` : ''),
        ),
      );
    child.on('error', (error) => fail(`could not start: ${error.message}`));
    child.on('close', (code, signal) =>
      code === 0 ? resolve(output) : fail(signal ? `was killed by ${signal}` : `exited with code ${code}`),
    );
  });
}
