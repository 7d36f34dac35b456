/** Types of radosgw.mjs (a single-node Ceph cluster with a RADOS Gateway, for tests). */
export interface Radosgw {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKey: string;
  readonly secretKey: string;
  readonly bucket: string;
  readonly dir: string;
  stop(): Promise<void>;
}

/** `memstoreBytes`: the OSD's in-memory device size (default 4 GiB). */
export function startRadosgw(options?: { bucket?: string; corsOrigins?: string[]; memstoreBytes?: number }): Promise<Radosgw>;
