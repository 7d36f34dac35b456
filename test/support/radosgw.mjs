// @ts-check
/**
 * A real S3 for the tests and for trying the S3 mode by hand: a single-node Ceph cluster
 * (one mon, one memstore OSD, one RADOS Gateway) living entirely in a temporary folder,
 * every listener on 127.0.0.1, on free ports.
 *
 * Why this exists: the S3 mode of /signed-parts and the registry must be tested against
 * an object store that really checks Content-MD5 and signatures (Ceph RGW does; s3rver
 * does not). Facts behind the settings are in shared/notes/real-s3.md: memstore (no disk
 * format), fast paxos rounds (first start in about a second), pool sizes for one OSD, and
 * the stop order (gateway, OSD, mon: the gateway hangs once the mon is gone).
 *
 * `startRadosgw()` resolves with `{ endpoint, region, accessKey, secretKey, bucket, stop() }`
 * once the gateway answers, its user exists and the bucket exists with a CORS rule that
 * lets any origin PUT parts and read the ETag. Daemons run in the foreground as children
 * of this process, so none outlives it (`stop()`, or SIGKILL on exit).
 *
 * By hand: `npm run radosgw` starts one and prints the S3_* variables for the reference
 * server; Ctrl-C stops it and removes its folder.
 */
import { spawn, execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, PutBucketCorsCommand, S3Client } from '@aws-sdk/client-s3';

const run = promisify(execFile);
const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const COMMAND_TIMEOUT_MS = 30_000;
const REGION = 'us-east-1';
const INSTALL_HINT = 'Install Ceph as root: apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw ceph-common';

/** A free TCP port on 127.0.0.1 (closed again before use; the daemons bind it right after). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Resolves once `port` accepts a connection; rejects after `deadline` (epoch ms) or when `failed()` says so. */
async function waitForPort(port, deadline, failed) {
  for (;;) {
    const problem = failed();
    if (problem) throw new Error(problem);
    const open = await new Promise((resolve) => {
      const socket = createConnection({ host: HOST, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`the RADOS Gateway did not listen on ${HOST}:${port} within ${START_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** memstore's device size when none is asked for: the OSD refuses writes once it is nearly full. */
const DEFAULT_MEMSTORE_BYTES = 4 * 1024 ** 3;

function config(dir, monPort, rgwPort, fsid, memstoreBytes) {
  return `[global]
fsid = ${fsid}
mon_host = [v2:${HOST}:${monPort}]
public_addr = ${HOST}
cluster_addr = ${HOST}
ms_bind_msgr1 = false
ms_bind_ipv6 = false
auth_cluster_required = cephx
auth_service_required = cephx
auth_client_required = cephx
keyring = ${dir}/keyring
run_dir = ${dir}/run
admin_socket = ${dir}/run/$name.asok
pid_file = ${dir}/run/$name.pid
log_file = ${dir}/log/$name.log
mon_data = ${dir}/mon
osd_data = ${dir}/osd
rgw_data = ${dir}/rgw
osd_objectstore = memstore
memstore_device_bytes = ${memstoreBytes}
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
mon_allow_pool_size_one = true
osd_crush_chooseleaf_type = 0

[mon]
paxos_propose_interval = 0.05
paxos_min_wait = 0.01

[client.rgw.gw]
rgw_frontends = beast endpoint=${HOST}:${rgwPort}
rgw_enable_lc_threads = false
rgw_dns_name = ${HOST}
`;
}

/**
 * Starts the cluster. Options: `bucket` (default "asset-uploader"), `corsOrigins` (default any),
 * `memstoreBytes` (the OSD's in-memory device size, default 4 GiB; the data lives in RAM, and
 * deleted objects only leave it after RGW's garbage-collection wait).
 * @param {{ bucket?: string, corsOrigins?: string[], memstoreBytes?: number }} [options]
 */
export async function startRadosgw(options = {}) {
  const memstoreBytes = options.memstoreBytes ?? DEFAULT_MEMSTORE_BYTES;
  if (!Number.isSafeInteger(memstoreBytes) || memstoreBytes < 1024 ** 3) {
    throw new Error(`startRadosgw: memstoreBytes must be a whole number of bytes, at least 1 GiB, not ${memstoreBytes}`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'asset-uploader-radosgw-'));
  const children = [];
  const exits = new Map();
  const conf = join(dir, 'ceph.conf');
  const ceph = (bin, args) =>
    run(bin, ['-c', conf, ...args], { timeout: COMMAND_TIMEOUT_MS }).catch((error) => {
      if (error.code === 'ENOENT') throw new Error(`${bin} is not installed. ${INSTALL_HINT}`);
      throw new Error(`${bin} ${args.join(' ')} failed: ${error.stderr || error.message}`);
    });
  const daemon = (name, bin, args) => {
    const child = spawn(bin, ['-c', conf, '-f', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.on('error', (error) => exits.set(name, error.message));
    child.on('exit', (code, signal) => exits.set(name, `${name} exited (${code ?? signal}): ${stderr.trim()}`));
    children.push({ name, child });
    return child;
  };
  const onExit = () => {
    for (const { child } of children) child.kill('SIGKILL');
  };
  process.on('exit', onExit);

  const stop = async () => {
    process.off('exit', onExit);
    // The gateway first, then the OSD, then the mon (the gateway hangs once the mon is gone).
    for (const { child } of [...children].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      await new Promise((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve(undefined);
        });
        child.kill('SIGTERM');
      });
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const [monPort, rgwPort] = [await freePort(), await freePort()];
    const fsid = randomUUID();
    for (const sub of ['run', 'log', 'mon', 'osd', 'rgw']) await mkdir(join(dir, sub));
    await writeFile(conf, config(dir, monPort, rgwPort, fsid, memstoreBytes));

    const keyring = join(dir, 'keyring');
    await ceph('ceph-authtool', ['--create-keyring', keyring, '--gen-key', '-n', 'mon.', '--cap', 'mon', 'allow *']);
    await ceph('ceph-authtool', [
      keyring,
      '--gen-key',
      '-n',
      'client.admin',
      '--cap',
      'mon',
      'allow *',
      '--cap',
      'osd',
      'allow *',
      '--cap',
      'mds',
      'allow *',
      '--cap',
      'mgr',
      'allow *',
    ]);
    await ceph('ceph-authtool', [
      keyring,
      '--gen-key',
      '-n',
      'osd.0',
      '--cap',
      'mon',
      'allow profile osd',
      '--cap',
      'osd',
      'allow *',
      '--cap',
      'mgr',
      'allow profile osd',
    ]);
    await ceph('ceph-authtool', [
      keyring,
      '--gen-key',
      '-n',
      'client.rgw.gw',
      '--cap',
      'mon',
      'allow rw',
      '--cap',
      'osd',
      'allow rwx',
      '--cap',
      'mgr',
      'allow rw',
    ]);
    const monmap = join(dir, 'monmap');
    await ceph('monmaptool', ['--create', '--fsid', fsid, '--addv', 'a', `[v2:${HOST}:${monPort}]`, monmap]);
    await ceph('ceph-mon', ['--mkfs', '-i', 'a', '--monmap', monmap, '--keyring', keyring]);
    daemon('ceph-mon', 'ceph-mon', ['-i', 'a']);

    const osdUuid = randomUUID();
    await ceph('ceph', ['--connect-timeout', '20', 'osd', 'new', osdUuid, '0']);
    await ceph('ceph-osd', ['-i', '0', '--mkfs', '--osd-uuid', osdUuid]);
    daemon('ceph-osd', 'ceph-osd', ['-i', '0']);
    daemon('radosgw', 'radosgw', ['-n', 'client.rgw.gw']);

    await waitForPort(rgwPort, Date.now() + START_TIMEOUT_MS, () => {
      const down = [...exits.values()];
      return down.length > 0 ? down.join('; ') : undefined;
    });

    const accessKey = `AU${randomBytes(9).toString('hex').toUpperCase()}`;
    const secretKey = randomBytes(24).toString('base64url');
    await ceph('radosgw-admin', [
      '-n',
      'client.admin',
      'user',
      'create',
      '--uid=asset-uploader',
      '--display-name=asset-uploader tests',
      `--access-key=${accessKey}`,
      `--secret-key=${secretKey}`,
    ]);

    const endpoint = `http://${HOST}:${rgwPort}`;
    const bucket = options.bucket ?? 'asset-uploader';
    const client = new S3Client({
      endpoint,
      region: REGION,
      forcePathStyle: true,
      credentials: { accessKeyId: accessKey, secretAccessKey: secretKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    try {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      await client.send(
        new PutBucketCorsCommand({
          Bucket: bucket,
          CORSConfiguration: {
            CORSRules: [
              {
                AllowedOrigins: options.corsOrigins ?? ['*'],
                AllowedMethods: ['GET', 'HEAD', 'PUT'],
                AllowedHeaders: ['*'],
                ExposeHeaders: ['ETag'],
                MaxAgeSeconds: 600,
              },
            ],
          },
        }),
      );
    } finally {
      client.destroy();
    }
    return { endpoint, region: REGION, accessKey, secretKey, bucket, dir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

// `node test/support/radosgw.mjs`: start one and keep it until Ctrl-C.
if (import.meta.url === `file://${process.argv[1]}`) {
  const s3 = await startRadosgw();
  console.log(`RADOS Gateway running (Ctrl-C stops it). Start the reference server against it with:
S3_ENDPOINT=${s3.endpoint} S3_BUCKET=${s3.bucket} S3_REGION=${s3.region} S3_ACCESS_KEY=${s3.accessKey} S3_SECRET_KEY=${s3.secretKey} npm start`);
  const quit = () => void s3.stop().then(() => process.exit(0));
  process.once('SIGINT', quit);
  process.once('SIGTERM', quit);
}
