import { scrypt } from 'node:crypto';
import type { ScryptFn } from './password';

export const nodeScrypt: ScryptFn = (password, salt, { N, r, p, dkLen }) =>
  new Promise((resolve, reject) =>
    scrypt(password, salt, dkLen, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(new Uint8Array(key)),
    ),
  );
