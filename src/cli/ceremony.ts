// npm run ceremony -- --campaign <code> --group <n> --seats <seats.json> --out <ceremony.json> [--record <record.txt>]
// The key ceremony, on an offline machine: reads the seats file the server publishes for the group
// (GET /api/campaigns/{code}/groups/{n}/tally/seats: seat numbers, names, seat public keys, k, n),
// generates the group key pair, splits it k of n, seals each share to its seat's public key,
// fingerprints, zeroes the private key, and writes the ceremony file to upload (public key,
// sealed shares, fingerprints, digest) and its printable record. Nothing secret is written.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CeremonyError, runCeremonyCore, type SeatsDocument } from '../tally/ceremony.core';

const { values } = parseArgs({
  options: { campaign: { type: 'string' }, group: { type: 'string' }, seats: { type: 'string' }, out: { type: 'string' }, record: { type: 'string' } },
  allowPositionals: false,
});
const group = Number(values.group);
if (!values.campaign || !Number.isInteger(group) || group < 1 || !values.seats || !values.out) {
  console.error('usage: npm run ceremony -- --campaign <code> --group <n> --seats <seats.json> --out <ceremony.json> [--record <record.txt>]');
  process.exit(2);
}
try {
  let seats: SeatsDocument;
  try {
    seats = JSON.parse(readFileSync(values.seats, 'utf8')) as SeatsDocument;
  } catch (err) {
    throw new CeremonyError('SEATS_UNREADABLE', `无法读取席位文件 ${values.seats}:${(err as Error).message}`);
  }
  if (seats.campaign !== values.campaign || seats.group !== group) throw new CeremonyError('SEATS_OTHER_GROUP', `席位文件属于 ${String(seats.campaign)} 第 ${String(seats.group)} 组,不是 ${values.campaign} 第 ${group} 组`);
  if (existsSync(values.out)) throw new CeremonyError('OUT_EXISTS', `${values.out} 已存在,不会覆盖`);
  const file = await runCeremonyCore(seats);
  writeFileSync(values.out, JSON.stringify(file, null, 2) + '\n');
  const recordPath = values.record ?? values.out.replace(/(\.json)?$/, '.record.txt');
  writeFileSync(recordPath, file.record);
  process.stdout.write(file.record);
  console.log(JSON.stringify({ ceremony: values.out, record: recordPath, publicKey: file.publicKey, digest: file.digest }));
} catch (err) {
  console.error(err instanceof CeremonyError ? `${err.code}: ${err.message}` : String(err));
  process.exit(1);
}
