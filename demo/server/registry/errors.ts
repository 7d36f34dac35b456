/**
 * How the /registry routes write an `ApiError`.
 *
 * Why this exists: the seed shows one status document, the delete's `{"success":
 * {"http_code": 200, "message": "Success"}}`, and no error. Errors mirror it: the shared
 * `{"error": {"code", "message"}}` with the answer's status as `http_code` inside, so a
 * client written from the seed reads `error.http_code` and `error.message` where it
 * reads `success.http_code` and `success.message`.
 */
import type { ErrorShape } from '../core/errors.js';

export const registryErrorShape: ErrorShape = (error) => ({
  type: 'application/json; charset=utf-8',
  body: JSON.stringify({ error: { code: error.code, http_code: error.status, message: error.message }, ...error.extra }),
});
