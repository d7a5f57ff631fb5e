// npm run seat-key -- --campaign <code> --group <n> --seat <n> --passphrase-file <file>
// npm run seat-key -- --campaign <code> --group <n> --seat <n> --new-key-file <file>
// A custodian's seat public key, to register when joining the seat (the server stores only it):
// derived from a passphrase (scrypt N=2^17, r=8, p=1, salt bound to campaign, group and seat,
// then RFC 9180 DeriveKeyPair), or from a new 32-byte key file written with mode 0600.
// npm run seat-key -- --campaign <code> --survey <id> --seat <n> (--passphrase-file <file> | --new-key-file <file>)
//   A survey's seat: the same keys, salted with the survey's scope string and group 0.
// Prints {"seat", "seatKey"}. Exit 2 on usage, 1 on a refused passphrase or unwritable file.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { newSeatKeyFile, SeatKeyError, seatKeyFromPassphrase } from '../tally/seat-key.core';
import { surveyScope } from '../survey/response.core';

const { values } = parseArgs({
  options: { campaign: { type: 'string' }, group: { type: 'string' }, survey: { type: 'string' }, seat: { type: 'string' }, 'passphrase-file': { type: 'string' }, 'new-key-file': { type: 'string' } },
  allowPositionals: false,
});
const group = values.survey ? 0 : Number(values.group);
const seat = Number(values.seat);
if (!values.campaign || (values.survey ? values.group !== undefined : !Number.isInteger(group) || group < 1) || !Number.isInteger(seat) || seat < 1 || Boolean(values['passphrase-file']) === Boolean(values['new-key-file'])) {
  console.error('usage: npm run seat-key -- --campaign <code> (--group <n> | --survey <id>) --seat <n> (--passphrase-file <file> | --new-key-file <file>)');
  process.exit(2);
}
// a survey's seat keys are bound to its scope string in place of the campaign
const scope = values.survey ? surveyScope(values.campaign!, values.survey) : values.campaign!;
try {
  if (values['new-key-file']) {
    const path = values['new-key-file'];
    if (existsSync(path)) throw new SeatKeyError('KEY_FILE_EXISTS', `${path} 已存在,不会覆盖`);
    const file = await newSeatKeyFile(scope, group, seat);
    writeFileSync(path, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
    console.log(JSON.stringify({ seat, seatKey: file.publicKey, keyFile: path }));
  } else {
    const passphrase = readFileSync(values['passphrase-file']!, 'utf8').replace(/\r?\n$/, '');
    const t0 = performance.now();
    const pair = await seatKeyFromPassphrase(passphrase, scope, group, seat);
    pair.privateKey.fill(0);
    console.log(JSON.stringify({ seat, seatKey: pair.publicKey, scryptMs: Math.round(performance.now() - t0) }));
  }
} catch (err) {
  console.error(err instanceof SeatKeyError ? `${err.code}: ${err.message}` : String(err));
  process.exit(1);
}
