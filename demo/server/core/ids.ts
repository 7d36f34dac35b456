/** Upload and asset ids: 32 hex digits from a CSPRNG, the only client-visible thing that ever becomes part of a path. */
export const ID_PATTERN = /^[0-9a-f]{32}$/;
