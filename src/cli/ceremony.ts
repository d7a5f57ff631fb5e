// npm run ceremony -- --campaign <code> --group <n> --seats <seats.json> --out <ceremony.json> [--record <record.txt>]
// npm run ceremony -- --campaign <code> --survey <id> --seats <seats.json> --out <ceremony.json> [--record <record.txt>]
//   A survey's ceremony: the same, on the seats file of GET /api/campaigns/{code}/surveys/{id}/tally/seats
//   (its "campaign" is the survey's scope string, group 0, so its shares never open a group's key).
// The key ceremony, on an offline machine: reads the seats file the server publishes for the group
// (GET /api/campaigns/{code}/groups/{n}/tally/seats: seat numbers, names, seat public keys, k, n),
// generates the group key pair, splits it k of n, seals each share to its seat's public key,
// fingerprints, zeroes the private key, and writes the ceremony file to upload (public key,
// sealed shares, fingerprints, digest) and its printable record. Nothing secret is written.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CeremonyError, runCeremonyCore, type SeatsDocument } from '../tally/ceremony.core';
import { surveyScope } from '../survey/response.core';

const { values } = parseArgs({
  options: { campaign: { type: 'string' }, group: { type: 'string' }, survey: { type: 'string' }, seats: { type: 'string' }, out: { type: 'string' }, record: { type: 'string' } },
  allowPositionals: false,
});
const survey = values.survey;
const group = survey ? 0 : Number(values.group);
if (!values.campaign || (survey ? values.group !== undefined || !survey : !Number.isInteger(group) || group < 1) || !values.seats || !values.out) {
  console.error('usage: npm run ceremony -- --campaign <code> (--group <n> | --survey <id>) --seats <seats.json> --out <ceremony.json> [--record <record.txt>]');
  process.exit(2);
}
// a survey's seats name its scope string in place of the campaign
const scope = survey ? surveyScope(values.campaign, survey) : values.campaign;
const what = survey ? `问卷 ${survey}` : `第 ${group} 组`;
try {
  let seats: SeatsDocument;
  try {
    seats = JSON.parse(readFileSync(values.seats, 'utf8')) as SeatsDocument;
  } catch (err) {
    throw new CeremonyError('SEATS_UNREADABLE', `无法读取席位文件 ${values.seats}:${(err as Error).message}`);
  }
  if (seats.campaign !== scope || seats.group !== group) throw new CeremonyError('SEATS_OTHER_GROUP', `席位文件属于 ${String(seats.campaign)} 第 ${String(seats.group)} 组,不是 ${values.campaign} ${what}`);
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
