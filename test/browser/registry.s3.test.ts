/** `registry` and `<asset-library>` against a real S3, Ceph's RADOS Gateway: see test/support/registry-suite.ts. */
import { describeRegistry } from '../support/registry-suite.js';

describeRegistry('s3');
