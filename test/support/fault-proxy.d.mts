/** Types of fault-proxy.mjs (a fault-injecting proxy for tests; its comment lists the rules). */
export interface ProxyLogEntry {
  method: string;
  path: string;
  contentRange: string | null;
  contentMd5: string | null;
  contentType: string | null;
  authorization: string | null;
  uploadOffset: string | null;
  uploadChecksum: string | null;
  /** A CORS preflight (OPTIONS with Access-Control-Request-Method), not the page's own OPTIONS. */
  preflight: boolean;
  bodyBytes: number;
  /** The answer's status; 0 while pending, -1 cut by a fault, -2 a side went away. */
  status: number;
  fault: string | null;
  /** Arrival order among the requests of every proxy in the process. */
  seq: number;
}

export interface FaultProxy {
  readonly origin: string;
  setRules(rules: ReadonlyArray<Record<string, unknown>>): void;
  log(): ProxyLogEntry[];
  clearLog(): void;
  close(): Promise<void>;
}

export function startFaultProxy(target: string, hooks?: { kill?: () => Promise<void> }): Promise<FaultProxy>;
