// npm run seat-key -- --campaign <code> --group <n> --seat <n> --passphrase-file <file>
// npm run seat-key -- --campaign <code> --group <n> --seat <n> --new-key-file <file>
// A custodian's seat public key, to register when joining the seat (the server stores only it):
// derived from a passphrase (scrypt N=2^17, r=8, p=1, salt bound to campaign, group and seat,
// then RFC 9180 DeriveKeyPair), or from a new 32-byte key file written with mode 0600.
// Prints {"seat", "seatKey"}. Exit 2 on usage, 1 on a refused passphrase or unwritable file.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { newSeatKeyFile, SeatKeyError, seatKeyFromPassphrase } from '../tally/seat-key.core';

const { values } = parseArgs({
  options: { campaign: { type: 'string' }, group: { type: 'string' }, seat: { type: 'string' }, 'passphrase-file': { type: 'string' }, 'new-key-file': { type: 'string' } },
  allowPositionals: false,
});
const group = Number(values.group);
const seat = Number(values.seat);
if (!values.campaign || !Number.isInteger(group) || group < 1 || !Number.isInteger(seat) || seat < 1 || Boolean(values['passphrase-file']) === Boolean(values['new-key-file'])) {
  console.error('usage: npm run seat-key -- --campaign <code> --group <n> --seat <n> (--passphrase-file <file> | --new-key-file <file>)');
  process.exit(2);
}
try {
  if (values['new-key-file']) {
    const path = values['new-key-file'];
    if (existsSync(path)) throw new SeatKeyError('KEY_FILE_EXISTS', `${path} 已存在,不会覆盖`);
    const file = await newSeatKeyFile(values.campaign, group, seat);
    writeFileSync(path, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
    console.log(JSON.stringify({ seat, seatKey: file.publicKey, keyFile: path }));
  } else {
    const passphrase = readFileSync(values['passphrase-file']!, 'utf8').replace(/\r?\n$/, '');
    const t0 = performance.now();
    const pair = await seatKeyFromPassphrase(passphrase, values.campaign, group, seat);
    pair.privateKey.fill(0);
    console.log(JSON.stringify({ seat, seatKey: pair.publicKey, scryptMs: Math.round(performance.now() - t0) }));
  }
} catch (err) {
  console.error(err instanceof SeatKeyError ? `${err.code}: ${err.message}` : String(err));
  process.exit(1);
}
