import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  describeProcesses,
  findLeftovers,
  isSameProcess,
  npmLaunchers,
  processIdentity,
  recorded,
  RecordedProcess,
  StackRecord,
  stopLeftovers,
} from './leftovers';
import { acceptsConnections, freePort, waitFor } from './processes';

const sleeper = (code = '') => ['-e', `${code}; setInterval(() => {}, 1 << 30)`];
const children: ChildProcess[] = [];

/** A long-running process of our own, in its own group as ProcessGroup starts them; resolves once `code` ran. */
async function startSleeper(code = ''): Promise<ChildProcess> {
  const child = spawn(process.execPath, sleeper(`${code}; process.stdout.write('ready')`), {
    stdio: ['ignore', 'pipe', 'ignore'],
    detached: true,
  });
  children.push(child);
  await new Promise((resolve) => child.stdout.once('data', resolve));
  return child;
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', resolve));

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nudge-leftovers-'));
  file = join(dir, 'dev-processes.json');
});

afterEach(async () => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** A record as a run that has since died wrote it: its owner is a process that exited. */
async function recordOfDeadRun(services: RecordedProcess[]): Promise<void> {
  const owner = await startSleeper();
  const ownerRecord = recorded('npm run dev', owner.pid!)!;
  owner.kill('SIGKILL');
  await exited(owner);
  await writeFile(file, JSON.stringify({ owner: ownerRecord, services }));
}

describe('processIdentity', () => {
  it.each(['linux', 'darwin'] as const)(
    'names a live process by start time and command line (%s way)',
    async (platform) => {
      if (platform === 'linux' && process.platform !== 'linux') return;
      const child = await startSleeper();

      const sut = processIdentity(child.pid!, platform);

      expect(sut).toMatchObject({ startTime: expect.any(String), command: expect.stringContaining('setInterval') });
      expect(sut?.pgid).toBe(child.pid); // detached: it leads its own group
      expect(sut?.ppid).toBe(process.pid);
    },
  );

  it('finds nothing once the process has exited', async () => {
    const child = await startSleeper();
    child.kill('SIGKILL');
    await exited(child);

    expect(processIdentity(child.pid!)).toBeUndefined();
    expect(processIdentity(child.pid!, 'darwin')).toBeUndefined();
  });
});

describe('isSameProcess', () => {
  it('is the recorded process only while pid, start time and command line all match', async () => {
    const child = await startSleeper();
    const sut = recorded('sleeper', child.pid!)!;

    expect(isSameProcess(sut)).toBe(true);
    // The same pid, given to a process started later or running something else: not ours.
    expect(isSameProcess({ ...sut, startTime: `${sut.startTime}1` })).toBe(false);
    expect(isSameProcess({ ...sut, command: 'ferretdb --listen-addr 127.0.0.1:27017' })).toBe(false);
    expect(isSameProcess({ ...sut, bootId: 'another-boot' })).toBe(process.platform !== 'linux');

    child.kill('SIGKILL');
    await exited(child);
    expect(isSameProcess(sut)).toBe(false);
  });
});

describe('StackRecord', () => {
  it('writes the owner and each service, with its ports, as they start; clear() removes the file', async () => {
    const child = await startSleeper();
    const sut = new StackRecord(join(dir, 'nested', 'dev-processes.json'));

    sut.add('ferretdb', child.pid!, [27017]);

    const content = JSON.parse(readFileSync(sut.file, 'utf8')) as {
      owner: RecordedProcess;
      services: RecordedProcess[];
    };
    expect(content.owner).toMatchObject({ pid: process.pid, command: expect.any(String) });
    expect(content.services).toEqual([
      expect.objectContaining({ name: 'ferretdb', pid: child.pid, ports: [27017], startTime: expect.any(String) }),
    ]);
    sut.clear();
    expect(existsSync(sut.file)).toBe(false);
  });

  it("leaves another run's record alone when it never wrote one itself", async () => {
    await writeFile(file, '{"owner":{},"services":[]}');

    new StackRecord(file).clear();

    expect(existsSync(file)).toBe(true);
  });
});

describe('findLeftovers', () => {
  it('finds none without a record, or with an unreadable one', async () => {
    expect(findLeftovers(file)).toEqual({ kind: 'none' });
    await writeFile(file, '{"owner":');
    expect(findLeftovers(file)).toEqual({ kind: 'none' });
  });

  it('leaves the services of a run that is still up alone', async () => {
    const child = await startSleeper();
    const record = new StackRecord(file); // owned by this (live) process
    record.add('api', child.pid!, [3000]);

    expect(findLeftovers(file)).toMatchObject({ kind: 'running', owner: { pid: process.pid } });
  });

  it("lists a dead run's services that are still the processes it started, and only those", async () => {
    const ours = await startSleeper();
    const recycled = await startSleeper();
    const gone = await startSleeper();
    const services = [recorded('ferretdb', ours.pid!, [27017])!, recorded('temporal', recycled.pid!, [7233])!];
    services.push(recorded('maildev', gone.pid!, [1025])!);
    services[1] = { ...services[1], startTime: '1' }; // its pid now belongs to something else
    gone.kill('SIGKILL');
    await exited(gone);
    await recordOfDeadRun(services);

    expect(findLeftovers(file)).toEqual({ kind: 'leftovers', services: [services[0]] });
  });
});

describe('stopLeftovers', () => {
  it('stops what the record names and is still ours, newest first, never a recycled pid, and removes the record', async () => {
    const first = await startSleeper();
    const second = await startSleeper();
    const stranger = await startSleeper();
    // The order signals are sent in: the order exits are observed in is the kernel's and
    // Node's (both reaped in one SIGCHLD under load), not stopLeftovers'.
    const kill = jest.spyOn(process, 'kill');
    const services = [recorded('first', first.pid!, [1])!, recorded('second', second.pid!, [2])!];
    services.push({ ...recorded('stranger', stranger.pid!)!, startTime: '1' });
    await recordOfDeadRun(services);

    const sut = await stopLeftovers(file);
    const signalled = kill.mock.calls.filter(([, signal]) => signal === 'SIGTERM').map(([pid]) => Math.abs(pid));
    kill.mockRestore();

    expect(sut).toEqual({ kind: 'stopped', services: services.slice(0, 2) });
    await Promise.all([exited(first), exited(second)]);
    expect(signalled.indexOf(second.pid!)).toBeGreaterThanOrEqual(0);
    expect(signalled.indexOf(second.pid!)).toBeLessThan(signalled.indexOf(first.pid!));
    expect(signalled).not.toContain(stranger.pid);
    expect(isSameProcess(recorded('stranger', stranger.pid!)!)).toBe(true);
    expect(existsSync(file)).toBe(false);
  });

  it('kills what does not stop on SIGTERM within the grace period, with the group it leads', async () => {
    const pidFile = join(dir, 'child.pid');
    const stubborn = await startSleeper(
      `process.on('SIGTERM', () => {});
       const child = require('child_process').spawn(process.execPath, ${JSON.stringify(sleeper())}, { stdio: 'ignore' });
       require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(child.pid))`,
    );
    await recordOfDeadRun([recorded('stubborn', stubborn.pid!)!]);
    const its = recorded('its child', Number(readFileSync(pidFile, 'utf8')))!;

    const sut = await stopLeftovers(file, { graceMs: 300 });

    expect(sut).toMatchObject({ kind: 'stopped', services: [{ name: 'stubborn' }] });
    await exited(stubborn);
    expect(stubborn.signalCode).toBe('SIGKILL');
    await waitFor('its child to go with it', () => Promise.resolve(!isSameProcess(its)), { timeoutMs: 5_000 });
  });

  it('touches nothing while the run that wrote the record is up', async () => {
    const child = await startSleeper();
    new StackRecord(file).add('api', child.pid!, [3000]);

    expect(await stopLeftovers(file)).toMatchObject({ kind: 'running' });
    expect(isSameProcess(recorded('api', child.pid!)!)).toBe(true);
    expect(existsSync(file)).toBe(true);
  });
});

describe('after a SIGKILLed npm run dev', () => {
  let taken: Server | undefined;
  afterEach(() => taken?.close());

  it('the next start stops the service it left listening, and leaves a port held by someone else alone', async () => {
    const [port, othersPort] = [await freePort(), await freePort()];
    // Not ours: listening, but in no record.
    taken = createServer().listen(othersPort, '127.0.0.1');
    const script = join(dir, 'dev.ts');
    await writeFile(
      script,
      `import { ProcessGroup } from ${JSON.stringify(join(__dirname, 'processes'))};
import { StackRecord } from ${JSON.stringify(join(__dirname, 'leftovers'))};
const group = new ProcessGroup(new StackRecord(${JSON.stringify(file)}));
group.start('dummy', process.execPath, ${JSON.stringify(sleeper(`require('net').createServer().listen(${port}, '127.0.0.1')`))}, {
  output: { file: ${JSON.stringify(join(dir, 'dummy.log'))} },
  ports: [${port}],
});
console.log('started');
`,
    );
    const dev = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(dev);
    await new Promise((resolve) => dev.stdout.once('data', resolve));
    await waitFor('the dummy service', () => acceptsConnections(port), { timeoutMs: 10_000 });

    dev.kill('SIGKILL');
    await exited(dev);
    expect(await acceptsConnections(port)).toBe(true); // left listening

    const sut = await stopLeftovers(file);

    expect(sut).toMatchObject({ kind: 'stopped', services: [{ name: 'dummy', ports: [port] }] });
    expect(describeProcesses(sut.kind === 'stopped' ? sut.services : [])).toMatch(
      new RegExp(`^dummy \\(pid \\d+, port ${port}\\)$`),
    );
    expect(await acceptsConnections(port)).toBe(false);
    expect(await acceptsConnections(othersPort)).toBe(true);
  });
});

describe('describeProcesses', () => {
  it('names each process with its pid and ports', () => {
    const processes = [
      { name: 'temporal', pid: 12, ports: [7233, 8233] },
      { name: 'worker', pid: 13, ports: [] },
    ] as unknown as RecordedProcess[];

    expect(describeProcesses(processes)).toBe('temporal (pid 12, ports 7233, 8233), worker (pid 13)');
  });
});

describe('npmLaunchers', () => {
  it('is empty when npm did not start us', () => {
    expect(npmLaunchers({})).toEqual([]);
  });

  it('is the chain up to npm: the `sh -c` it runs scripts with, and npm itself', async () => {
    // A stand-in for npm: its command line names npm-cli.js, and it runs the script through sh.
    const probe = join(dir, 'probe.ts');
    await writeFile(
      probe,
      `import { npmLaunchers } from ${JSON.stringify(join(__dirname, 'leftovers'))};
console.log(JSON.stringify(npmLaunchers({ npm_execpath: 'npm-cli.js' }).map((p) => p.command)));`,
    );
    const npm = join(dir, 'npm-cli.js');
    await writeFile(
      npm,
      `require('child_process').spawn('sh', ['-c', ${JSON.stringify(`"${process.execPath}" --import tsx ${probe}`)}], { stdio: 'inherit' });`,
    );
    const child = spawn(process.execPath, [npm], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await exited(child);

    expect(JSON.parse(output)).toEqual([expect.stringMatching(/^sh -c /), expect.stringContaining('npm-cli.js')]);
  });
});
