// npx tsx bench/tally.ts [--json] [--quick] — seals 10,000 ballots (2,500 per group, the 2018 campaign's
// four groups) into a fresh temporary database, closes and commits every group, then times
// unsealing and tallying the whole campaign (combine shares, check the key, check the stored
// ballots against the commitment, decrypt all, tally, publish). Target: under 3 s.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCampaign, loadAgenda } from '../src/campaigns/campaigns.service';
import { SYSTEM_ACTOR } from '../src/audit/audit.service';
import { prepareDatabase } from '../src/node/boot';
import { rehearsalCeremony } from '../src/tally/rehearsal.service';
import { commitGroup } from '../src/tally/tally.service';
import { unsealAsCustodians } from '../src/tally/rehearsal.service';
import { castSealed, closeAllVenues } from '../test/helpers/tally';

// --quick: 100 ballots a group, the README check's form (npm run check:readme): proves the path, times nothing
const QUICK = process.argv.includes('--quick');
const PER_GROUP = QUICK ? 100 : 2_500;
const json = process.argv.includes('--json');
const dir = mkdtempSync(join(tmpdir(), 'sanmin-bench-tally-'));
const handle = await prepareDatabase(`file:${join(dir, 'bench.db')}`);
const db = handle.db;
try {
  const campaign = await getCampaign(db, '2018');
  const { groups } = await loadAgenda(db, campaign.id);
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const shares = new Map<number, string[]>();
  const t0 = performance.now();
  for (const g of groups) {
    const { publicKey, shares: files } = await rehearsalCeremony(db, campaign, g.no);
    shares.set(g.no, files.slice(0, files[0]!.threshold).map((f) => JSON.stringify(f)));
    const answers = Array.from({ length: PER_GROUP }, () => g.departments.map(() => (rand() < 0.03 ? null : 1 + Math.floor(rand() * 4))));
    await castSealed(db, campaign, g.no, publicKey, answers);
    await closeAllVenues(db, campaign, g.no);
  }
  const sealSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  for (const g of groups) await commitGroup(db, SYSTEM_ACTOR, campaign, g.no);
  const commitSeconds = (performance.now() - t1) / 1000;
  const cpu0 = process.cpuUsage();
  const t2 = performance.now();
  let ballotsTallied = 0;
  for (const g of groups) ballotsTallied += (await unsealAsCustodians(db, campaign, g.no, shares.get(g.no)!)).result.tally.ballots.total;
  const unsealSeconds = (performance.now() - t2) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const unsealCpuSeconds = (cpu.user + cpu.system) / 1e6;
  const out = { ballots: ballotsTallied, groups: groups.length, sealSeconds: +sealSeconds.toFixed(3), commitSeconds: +commitSeconds.toFixed(3), unsealAndTallySeconds: +unsealSeconds.toFixed(3), unsealCpuSeconds: +unsealCpuSeconds.toFixed(3), loadAverage: +(await import('node:os')).loadavg()[0]!.toFixed(2), targetSeconds: 3, ok: unsealSeconds < 3 };
  if (json) console.log(JSON.stringify(out));
  else {
    console.log(`sealed and stored ${ballotsTallied} ballots in ${out.sealSeconds} s; commitments in ${out.commitSeconds} s`);
    console.log(`unseal + tally of the whole campaign: ${out.unsealAndTallySeconds} s wall, ${out.unsealCpuSeconds} s CPU (target < 3 s) ${out.ok ? 'OK' : 'TOO SLOW'}`);
    console.log(`load average during the run: ${out.loadAverage} (other work on the machine inflates wall time)`);
  }
  if (!out.ok && !QUICK) process.exitCode = 1;
} finally {
  handle.client.close();
  rmSync(dir, { recursive: true, force: true });
}
