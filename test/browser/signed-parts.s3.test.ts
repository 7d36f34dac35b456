/**
 * `signed-parts` against a real S3, Ceph's RADOS Gateway (the `.s3.test.ts` name gives
 * this file a reference server in its S3 mode: test/support/ref-server-plugin.mjs). See
 * test/support/signed-parts-suite.ts.
 */
import { describeSignedParts } from '../support/signed-parts-suite.js';

describeSignedParts('s3');
